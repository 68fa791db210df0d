#include <stdarg.h>
#include <stdio.h>

#include "model/error.h"

static _Thread_local char message[4096];

int error_set(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	return code;
}

const char *error_message(void)
{
	return message;
}

void error_clear(void)
{
	message[0] = '\0';
}
