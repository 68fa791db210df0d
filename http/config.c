#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "http/config.h"
#include "model/error.h"

#define SECRET_FILE_MAX 4096

static const struct {
	const char *region;
	const char *domain;
} regions[] = {
	{ "us-east-1", "mypurecloud.com" },
	{ "eu-west-1", "mypurecloud.ie" },
	{ "eu-central-1", "mypurecloud.de" },
	{ "ap-southeast-2", "mypurecloud.com.au" },
	{ "ap-northeast-1", "mypurecloud.jp" },
	{ "us-west-2", "usw2.pure.cloud" },
	{ "ca-central-1", "cac1.pure.cloud" },
	{ "eu-west-2", "euw2.pure.cloud" },
	{ "ap-south-1", "aps1.pure.cloud" },
	{ "ap-northeast-2", "apne2.pure.cloud" },
	{ "sa-east-1", "sae1.pure.cloud" },
	{ "me-central-1", "mec1.pure.cloud" },
	{ "ap-northeast-3", "apne3.pure.cloud" },
	{ "eu-central-2", "euc2.pure.cloud" },
	{ "mx-central-1", "mxc1.pure.cloud" },
	{ "ap-southeast-1", "apse1.pure.cloud" },
	{ "us-east-2", "use2.us-gov-pure.cloud" },
};

void http_config_init(struct http_config *config)
{
	memset(config, 0, sizeof(*config));
	config->request_timeout_ms = HTTP_DEFAULT_REQUEST_TIMEOUT_MS;
	config->connect_timeout_ms = HTTP_DEFAULT_CONNECT_TIMEOUT_MS;
	config->retry_base_ms = HTTP_DEFAULT_RETRY_BASE_MS;
	config->retry_cap_ms = HTTP_DEFAULT_RETRY_CAP_MS;
	config->retry_attempts = HTTP_DEFAULT_RETRY_ATTEMPTS;
	config->retry_after_max_ms = HTTP_DEFAULT_RETRY_AFTER_MAX_MS;
	config->breaker_threshold = HTTP_DEFAULT_BREAKER_THRESHOLD;
	config->breaker_cooldown_ms = HTTP_DEFAULT_BREAKER_COOLDOWN_MS;
	config->max_requests_per_minute = HTTP_DEFAULT_REQUESTS_PER_MINUTE;
	config->page_size = HTTP_DEFAULT_PAGE_SIZE;
	config->max_pages = HTTP_DEFAULT_MAX_PAGES;
}

void http_config_release(struct http_config *config)
{
	if (config->client_secret)
		explicit_bzero(config->client_secret,
			       strlen(config->client_secret));
	free(config->api_url);
	free(config->login_url);
	free(config->client_id);
	free(config->client_secret);
	free(config->cacert);
	http_config_init(config);
}

const char *http_region_domain(const char *region)
{
	size_t i;

	for (i = 0; i < sizeof(regions) / sizeof(regions[0]); i++)
		if (strcasecmp(regions[i].region, region) == 0)
			return regions[i].domain;
	return NULL;
}

int http_duration_parse(const char *text, long *ms)
{
	char *end;
	double value, scale = 1000.0;

	/* Plain decimal only: strtod() would also take spaces, signs, hex
	 * and exponents. */
	if (strspn(text, "0123456789.") == 0)
		return TRUNKCTL_EINVALID;
	errno = 0;
	value = strtod(text, &end);
	if (end == text || errno || isnan(value) || value < 0 ||
	    (size_t)(end - text) != strspn(text, "0123456789."))
		return TRUNKCTL_EINVALID;
	if (strcmp(end, "ms") == 0)
		scale = 1.0;
	else if (strcmp(end, "m") == 0)
		scale = 60000.0;
	else if (strcmp(end, "h") == 0)
		scale = 3600000.0;
	else if (*end && strcmp(end, "s") != 0)
		return TRUNKCTL_EINVALID;
	if (value * scale > (double)LONG_MAX / 2)
		return TRUNKCTL_EINVALID;
	*ms = lround(value * scale);
	return 0;
}

static bool host_is_loopback(const char *host)
{
	struct in_addr v4;
	char v6[64];
	size_t len = strlen(host);

	if (strcasecmp(host, "localhost") == 0)
		return true;
	if (inet_pton(AF_INET, host, &v4) == 1)
		return (ntohl(v4.s_addr) >> 24) == 127;
	if (host[0] == '[' && len > 2 && len - 2 < sizeof(v6)) {
		struct in6_addr addr;

		memcpy(v6, host + 1, len - 2);
		v6[len - 2] = '\0';
		return inet_pton(AF_INET6, v6, &addr) == 1 &&
		       IN6_IS_ADDR_LOOPBACK(&addr);
	}
	return false;
}

/* Checks the parts of a parsed URL. `url` is only quoted in messages. */
static int check_url_parts(CURLU *parts, const char *url, const char *what)
{
	char *scheme = NULL, *host = NULL, *user = NULL, *query = NULL;
	int rc = 0;

	curl_url_get(parts, CURLUPART_SCHEME, &scheme, 0);
	curl_url_get(parts, CURLUPART_HOST, &host, 0);
	curl_url_get(parts, CURLUPART_USER, &user, 0);
	curl_url_get(parts, CURLUPART_QUERY, &query, 0);

	if (!scheme || !host || !*host)
		rc = error_set(TRUNKCTL_EINVALID, "invalid %s '%s': expected "
			       "https://HOST[/PATH]", what, url);
	else if (strcmp(scheme, "https") != 0 && strcmp(scheme, "http") != 0)
		rc = error_set(TRUNKCTL_EINVALID, "invalid %s '%s': the scheme "
			       "must be https", what, url);
	else if (strcmp(scheme, "http") == 0 && !host_is_loopback(host))
		rc = error_set(TRUNKCTL_EINVALID, "rejected %s '%s': plain "
			       "http is allowed only for a loopback host; use "
			       "https", what, url);
	else if (user || query)
		rc = error_set(TRUNKCTL_EINVALID, "invalid %s: a user name, "
			       "password or query is not allowed in the URL",
			       what);

	curl_free(scheme);
	curl_free(host);
	curl_free(user);
	curl_free(query);
	return rc;
}

int http_base_url_check(const char *url, const char *what, char **out)
{
	CURLU *parts = curl_url();
	size_t len;
	int rc;

	if (!parts)
		return error_set(TRUNKCTL_ENOMEM, "out of memory");
	if (curl_url_set(parts, CURLUPART_URL, url, 0) != CURLUE_OK)
		rc = error_set(TRUNKCTL_EINVALID, "invalid %s '%s': expected "
			       "https://HOST[/PATH]", what, url);
	else
		rc = check_url_parts(parts, url, what);
	curl_url_cleanup(parts);
	if (rc)
		return rc;

	*out = strdup(url);
	if (!*out)
		return error_set(TRUNKCTL_ENOMEM, "out of memory");
	len = strlen(*out);
	while (len > 0 && (*out)[len - 1] == '/')
		(*out)[--len] = '\0';
	return 0;
}

int http_login_url_derive(const char *api_url, char **out)
{
	CURLU *parts = curl_url();
	char *host = NULL, *url = NULL, login_host[256];
	int rc;

	*out = NULL;
	if (!parts)
		return error_set(TRUNKCTL_ENOMEM, "out of memory");
	if (curl_url_set(parts, CURLUPART_URL, api_url, 0) != CURLUE_OK ||
	    curl_url_get(parts, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
		rc = error_set(TRUNKCTL_EINVALID, "invalid API URL '%s'",
			       api_url);
		goto done;
	}

	if (strncasecmp(host, "api.", 4) == 0) {
		snprintf(login_host, sizeof(login_host), "login.%s", host + 4);
		if (curl_url_set(parts, CURLUPART_HOST, login_host, 0) ||
		    curl_url_get(parts, CURLUPART_URL, &url, 0)) {
			rc = error_set(TRUNKCTL_EINVALID, "cannot derive the "
				       "login URL from '%s'; set --login-url",
				       api_url);
			goto done;
		}
	}
	rc = http_base_url_check(url ? url : api_url, "login URL", out);

done:
	curl_free(host);
	curl_free(url);
	curl_url_cleanup(parts);
	return rc;
}

/* Returns the command-line value, else the environment's, else NULL. */
static const char *option_value(const char *option, const char *variable)
{
	const char *value;

	if (option)
		return option;
	value = variable ? getenv(variable) : NULL;
	return value && *value ? value : NULL;
}

static int load_duration(const char *option, const char *flag,
			 const char *variable, long min_ms, long *ms)
{
	const char *text = option_value(option, variable);
	long value;

	if (!text)
		return 0;
	if (http_duration_parse(text, &value) || value < min_ms)
		return error_set(TRUNKCTL_EINVALID, "invalid %s '%s' (from "
				 "%s): expected seconds such as 0.5 or 2, or a "
				 "value with a unit such as 250ms", flag, text,
				 option ? "the command line" : variable);
	*ms = value;
	return 0;
}

static int load_count(const char *option, const char *flag,
		      const char *variable, long min, long max, int *count)
{
	const char *text = option_value(option, variable);
	char *end;
	long value;

	if (!text)
		return 0;
	errno = 0;
	value = strtol(text, &end, 10);
	if (end == text || *end || errno || value < min || value > max)
		return error_set(TRUNKCTL_EINVALID, "invalid %s '%s' (from "
				 "%s): expected a whole number from %ld to %ld",
				 flag, text,
				 option ? "the command line" : variable,
				 min, max);
	*count = (int)value;
	return 0;
}

static int load_figures(struct http_config *config,
			const struct http_options *o)
{
	int rc;

	rc = load_duration(o->request_timeout, "--request-timeout",
			   "TRUNKCTL_REQUEST_TIMEOUT", 1,
			   &config->request_timeout_ms);
	rc = rc ? rc : load_duration(o->retry_base, "--retry-base",
				     "TRUNKCTL_RETRY_BASE", 0,
				     &config->retry_base_ms);
	rc = rc ? rc : load_duration(o->retry_cap, "--retry-cap",
				     "TRUNKCTL_RETRY_CAP", 0,
				     &config->retry_cap_ms);
	rc = rc ? rc : load_duration(o->retry_after_max, "--retry-after-max",
				     "TRUNKCTL_RETRY_AFTER_MAX", 0,
				     &config->retry_after_max_ms);
	rc = rc ? rc : load_duration(o->breaker_cooldown, "--breaker-cooldown",
				     "TRUNKCTL_BREAKER_COOLDOWN", 0,
				     &config->breaker_cooldown_ms);
	rc = rc ? rc : load_count(o->retry_attempts, "--retry-attempts",
				  "TRUNKCTL_RETRY_ATTEMPTS", 0, 100,
				  &config->retry_attempts);
	rc = rc ? rc : load_count(o->breaker_threshold, "--breaker-threshold",
				  "TRUNKCTL_BREAKER_THRESHOLD", 1, 1000,
				  &config->breaker_threshold);
	rc = rc ? rc : load_count(o->max_requests_per_minute,
				  "--max-requests-per-minute",
				  "TRUNKCTL_MAX_REQUESTS_PER_MINUTE", 0,
				  1000000, &config->max_requests_per_minute);
	if (!rc && config->connect_timeout_ms > config->request_timeout_ms)
		config->connect_timeout_ms = config->request_timeout_ms;
	return rc;
}

static int load_urls(struct http_config *config, const struct http_options *o)
{
	const char *region = option_value(o->region, "GENESYSCLOUD_REGION");
	const char *domain;
	char url[512];
	int rc;

	if (o->api_url) {
		rc = http_base_url_check(o->api_url, "--api-url",
					 &config->api_url);
		if (rc)
			return rc;
		if (o->login_url)
			return http_base_url_check(o->login_url, "--login-url",
						   &config->login_url);
		return http_login_url_derive(config->api_url,
					     &config->login_url);
	}
	if (!region)
		return error_set(TRUNKCTL_EINVALID, "no API region: set "
				 "--region or GENESYSCLOUD_REGION (for example "
				 "us-east-1 or mypurecloud.com), or --api-url");

	domain = http_region_domain(region);
	if (!domain && !strchr(region, '.'))
		return error_set(TRUNKCTL_EINVALID, "unknown region '%s': use "
				 "an AWS-style name such as eu-west-1 or a "
				 "domain such as mypurecloud.ie", region);
	domain = domain ? domain : region;

	snprintf(url, sizeof(url), "https://api.%s", domain);
	rc = http_base_url_check(url, "region", &config->api_url);
	if (rc)
		return rc;
	if (o->login_url)
		return http_base_url_check(o->login_url, "--login-url",
					   &config->login_url);
	snprintf(url, sizeof(url), "https://login.%s", domain);
	return http_base_url_check(url, "region", &config->login_url);
}

/* Reads a secret file of one line and drops a trailing newline. */
static int read_secret_file(const char *path, char **secret)
{
	char buffer[SECRET_FILE_MAX + 1];
	FILE *file = fopen(path, "r");
	size_t len;
	int rc = 0;

	if (!file)
		return error_set(TRUNKCTL_EIO, "cannot read the client secret "
				 "file '%s': %s", path, strerror(errno));
	len = fread(buffer, 1, SECRET_FILE_MAX + 1, file);
	fclose(file);

	if (len > 0 && buffer[len - 1] == '\n')
		len--;
	if (len > 0 && buffer[len - 1] == '\r')
		len--;
	buffer[len < sizeof(buffer) ? len : sizeof(buffer) - 1] = '\0';
	if (len > SECRET_FILE_MAX)
		rc = error_set(TRUNKCTL_EINVALID, "client secret file '%s' "
			       "is longer than %d bytes", path,
			       SECRET_FILE_MAX);
	else if (len == 0 || strlen(buffer) != len || strpbrk(buffer, "\r\n"))
		rc = error_set(TRUNKCTL_EINVALID, "client secret file '%s' "
			       "must contain the secret on one line", path);
	else if (!(*secret = strdup(buffer)))
		rc = error_set(TRUNKCTL_ENOMEM, "out of memory");

	explicit_bzero(buffer, sizeof(buffer));
	return rc;
}

static int load_credentials(struct http_config *config,
			    const struct http_options *o)
{
	const char *id = getenv("GENESYSCLOUD_OAUTHCLIENT_ID");
	const char *secret = getenv("GENESYSCLOUD_OAUTHCLIENT_SECRET");

	if (!id || !*id)
		return error_set(TRUNKCTL_EINVALID, "missing OAuth client id: "
				 "set GENESYSCLOUD_OAUTHCLIENT_ID");
	config->client_id = strdup(id);
	if (!config->client_id)
		return error_set(TRUNKCTL_ENOMEM, "out of memory");

	if (o->client_secret_file)
		return read_secret_file(o->client_secret_file,
					&config->client_secret);
	if (!secret || !*secret)
		return error_set(TRUNKCTL_EINVALID, "missing OAuth client "
				 "secret: set GENESYSCLOUD_OAUTHCLIENT_SECRET "
				 "or --client-secret-file");
	config->client_secret = strdup(secret);
	if (!config->client_secret)
		return error_set(TRUNKCTL_ENOMEM, "out of memory");
	return 0;
}

static int load_cacert(struct http_config *config, const char *path)
{
	FILE *file;

	if (!path)
		return 0;
	file = fopen(path, "r");
	if (!file)
		return error_set(TRUNKCTL_EIO, "cannot read the CA certificate "
				 "file '%s' (--cacert): %s", path,
				 strerror(errno));
	fclose(file);
	config->cacert = strdup(path);
	return config->cacert ? 0 : error_set(TRUNKCTL_ENOMEM, "out of memory");
}

int http_config_load(struct http_config *config,
		     const struct http_options *options)
{
	int rc;

	http_config_init(config);
	rc = load_figures(config, options);
	if (!rc)
		rc = load_urls(config, options);
	if (!rc)
		rc = load_cacert(config, options->cacert);
	if (!rc)
		rc = load_credentials(config, options);
	if (rc)
		http_config_release(config);
	return rc;
}
