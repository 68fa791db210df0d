#ifndef TRUNKCTL_MODEL_ERROR_H
#define TRUNKCTL_MODEL_ERROR_H

/*
 * Error codes and the per-thread error message.
 *
 * Functions return 0 on success or one of the negative codes below. The
 * function that detects a failure records a message with error_set(),
 * naming the failing value; callers pass the code up unchanged and the
 * command prints error_message(). The message slot is thread-local, so
 * workers do not overwrite each other's messages.
 */

enum {
	TRUNKCTL_OK = 0,
	TRUNKCTL_ERROR = -1,     /* generic failure */
	TRUNKCTL_EINVALID = -2,  /* invalid input: manifest, option, body */
	TRUNKCTL_ENOTFOUND = -3, /* entity, file or revision not found */
	TRUNKCTL_ECONFLICT = -4, /* name exists, or a stale version */
	TRUNKCTL_EAUTH = -5,     /* credentials rejected */
	TRUNKCTL_ENOMEM = -6,
	TRUNKCTL_ETIMEOUT = -7,
	TRUNKCTL_EHTTP = -8,     /* the service returned an error status */
	TRUNKCTL_EIO = -9,       /* file or transport failure */
};

/* Records a printf-style message for this thread and returns `code`. */
int error_set(int code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Returns this thread's last message, or "" when none is recorded. */
const char *error_message(void);

void error_clear(void);

#endif
