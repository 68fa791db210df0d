/*
 * The API client's configuration: region table, domain form, login URL
 * derivation, loopback-only plain http, credentials from the environment
 * or a file, and the retry figures. Nothing here sends a request.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <curl/curl.h>

#include "http/client.h"
#include "http/config.h"
#include "model/error.h"

#define SECRET "s3cr3t-value-9f1e"

static void set_credentials(void)
{
	setenv("GENESYSCLOUD_OAUTHCLIENT_ID", "client-1", 1);
	setenv("GENESYSCLOUD_OAUTHCLIENT_SECRET", SECRET, 1);
}

static int setup(void **state)
{
	static const char *const variables[] = {
		"GENESYSCLOUD_REGION", "GENESYSCLOUD_OAUTHCLIENT_ID",
		"GENESYSCLOUD_OAUTHCLIENT_SECRET", "TRUNKCTL_REQUEST_TIMEOUT",
		"TRUNKCTL_RETRY_BASE", "TRUNKCTL_RETRY_CAP",
		"TRUNKCTL_RETRY_ATTEMPTS", "TRUNKCTL_RETRY_AFTER_MAX",
		"TRUNKCTL_BREAKER_THRESHOLD", "TRUNKCTL_BREAKER_COOLDOWN",
		"TRUNKCTL_MAX_REQUESTS_PER_MINUTE",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(variables) / sizeof(variables[0]); i++)
		unsetenv(variables[i]);
	set_credentials();
	return 0;
}

static void region_table(void **state)
{
	(void)state;
	assert_string_equal(http_region_domain("us-east-1"), "mypurecloud.com");
	assert_string_equal(http_region_domain("eu-west-1"), "mypurecloud.ie");
	assert_string_equal(http_region_domain("ap-southeast-2"),
			    "mypurecloud.com.au");
	assert_string_equal(http_region_domain("us-east-2"),
			    "use2.us-gov-pure.cloud");
	assert_string_equal(http_region_domain("mx-central-1"),
			    "mxc1.pure.cloud");
	assert_null(http_region_domain("mars-north-1"));
}

static void region_option_sets_urls(void **state)
{
	struct http_options options = { .region = "eu-central-1" };
	struct http_config config;

	(void)state;
	assert_int_equal(http_config_load(&config, &options), 0);
	assert_string_equal(config.api_url, "https://api.mypurecloud.de");
	assert_string_equal(config.login_url, "https://login.mypurecloud.de");
	http_config_release(&config);
}

static void region_from_environment(void **state)
{
	struct http_options options = { 0 };
	struct http_config config;

	(void)state;
	setenv("GENESYSCLOUD_REGION", "ca-central-1", 1);
	assert_int_equal(http_config_load(&config, &options), 0);
	assert_string_equal(config.api_url, "https://api.cac1.pure.cloud");
	assert_string_equal(config.login_url, "https://login.cac1.pure.cloud");
	http_config_release(&config);
}

static void region_domain_form(void **state)
{
	struct http_options options = { .region = "usw2.pure.cloud" };
	struct http_config config;

	(void)state;
	assert_int_equal(http_config_load(&config, &options), 0);
	assert_string_equal(config.api_url, "https://api.usw2.pure.cloud");
	assert_string_equal(config.login_url, "https://login.usw2.pure.cloud");
	http_config_release(&config);
}

static void region_unknown_name(void **state)
{
	struct http_options options = { .region = "mars-north-1" };
	struct http_config config;

	(void)state;
	assert_int_equal(http_config_load(&config, &options),
			 TRUNKCTL_EINVALID);
	assert_non_null(strstr(error_message(), "'mars-north-1'"));
	assert_null(config.api_url);
}

static void no_region_no_url(void **state)
{
	struct http_options options = { 0 };
	struct http_config config;

	(void)state;
	assert_int_equal(http_config_load(&config, &options),
			 TRUNKCTL_EINVALID);
	assert_non_null(strstr(error_message(), "GENESYSCLOUD_REGION"));
	assert_non_null(strstr(error_message(), "--api-url"));
}

static void login_url_derivation(void **state)
{
	char *url = NULL;

	(void)state;
	assert_int_equal(http_login_url_derive("https://api.example.test",
					       &url), 0);
	assert_string_equal(url, "https://login.example.test");
	free(url);

	assert_int_equal(http_login_url_derive("https://api.example.test:8443"
					       "/base/", &url), 0);
	assert_string_equal(url, "https://login.example.test:8443/base");
	free(url);

	assert_int_equal(http_login_url_derive("http://127.0.0.1:8080", &url),
			 0);
	assert_string_equal(url, "http://127.0.0.1:8080");
	free(url);

	/* Only a leading label counts. */
	assert_int_equal(http_login_url_derive("https://gw.api.example.test",
					       &url), 0);
	assert_string_equal(url, "https://gw.api.example.test");
	free(url);
}

static void api_url_overrides_region(void **state)
{
	struct http_options options = {
		.region = "eu-west-1",
		.api_url = "https://api.staging.example.test/",
	};
	struct http_config config;

	(void)state;
	assert_int_equal(http_config_load(&config, &options), 0);
	assert_string_equal(config.api_url, "https://api.staging.example.test");
	assert_string_equal(config.login_url,
			    "https://login.staging.example.test");
	http_config_release(&config);
}

static void login_url_option_wins(void **state)
{
	struct http_options options = {
		.api_url = "http://127.0.0.1:9000",
		.login_url = "http://localhost:9001/auth",
	};
	struct http_config config;

	(void)state;
	assert_int_equal(http_config_load(&config, &options), 0);
	assert_string_equal(config.api_url, "http://127.0.0.1:9000");
	assert_string_equal(config.login_url, "http://localhost:9001/auth");
	http_config_release(&config);
}

static void plain_http_loopback_only(void **state)
{
	static const char *const accepted[] = {
		"http://127.0.0.1:8080", "http://127.9.8.7", "http://[::1]:80",
		"http://localhost:1234/", "https://api.example.test",
	};
	static const char *const rejected[] = {
		"http://api.example.test", "http://10.0.0.1:8080",
		"http://127.0.0.1.example.test", "http://[::2]:80",
		"http://128.0.0.1", "ftp://127.0.0.1", "file:///etc/passwd",
		"https://user:pw@api.example.test", "not a url",
	};
	char *url;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(accepted) / sizeof(accepted[0]); i++) {
		url = NULL;
		assert_int_equal(http_base_url_check(accepted[i], "--api-url",
						     &url), 0);
		free(url);
	}
	for (i = 0; i < sizeof(rejected) / sizeof(rejected[0]); i++) {
		url = NULL;
		assert_int_equal(http_base_url_check(rejected[i], "--api-url",
						     &url), TRUNKCTL_EINVALID);
		assert_null(url);
	}
}

static void plain_http_remote_rejected(void **state)
{
	struct http_options options = {
		.api_url = "http://api.example.test",
	};
	struct http_config config;

	(void)state;
	assert_int_equal(http_config_load(&config, &options),
			 TRUNKCTL_EINVALID);
	assert_non_null(strstr(error_message(), "plain http"));
	assert_non_null(strstr(error_message(), "--api-url"));
	assert_null(config.api_url);

	/* A derived login URL is checked too: a remote --login-url. */
	options.api_url = "http://127.0.0.1:9";
	options.login_url = "http://login.example.test";
	assert_int_equal(http_config_load(&config, &options),
			 TRUNKCTL_EINVALID);
	assert_non_null(strstr(error_message(), "--login-url"));
}

static void missing_client_id(void **state)
{
	struct http_options options = { .region = "us-east-1" };
	struct http_config config;

	(void)state;
	unsetenv("GENESYSCLOUD_OAUTHCLIENT_ID");
	assert_int_equal(http_config_load(&config, &options),
			 TRUNKCTL_EINVALID);
	assert_non_null(strstr(error_message(),
			       "GENESYSCLOUD_OAUTHCLIENT_ID"));
}

static void missing_client_secret(void **state)
{
	struct http_options options = { .region = "us-east-1" };
	struct http_config config;

	(void)state;
	unsetenv("GENESYSCLOUD_OAUTHCLIENT_SECRET");
	assert_int_equal(http_config_load(&config, &options),
			 TRUNKCTL_EINVALID);
	assert_non_null(strstr(error_message(),
			       "GENESYSCLOUD_OAUTHCLIENT_SECRET"));
	assert_non_null(strstr(error_message(), "--client-secret-file"));
}

static void write_file(const char *path, const char *text)
{
	FILE *file = fopen(path, "w");

	assert_non_null(file);
	fputs(text, file);
	fclose(file);
}

static void secret_file_trimmed(void **state)
{
	char path[] = "/tmp/trunkctl-secret-XXXXXX";
	struct http_options options = { .region = "us-east-1" };
	struct http_config config;
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	options.client_secret_file = path;

	write_file(path, "from-file\n");
	assert_int_equal(http_config_load(&config, &options), 0);
	assert_string_equal(config.client_secret, "from-file");
	http_config_release(&config);

	write_file(path, "crlf-secret\r\n");
	assert_int_equal(http_config_load(&config, &options), 0);
	assert_string_equal(config.client_secret, "crlf-secret");
	http_config_release(&config);

	write_file(path, "two\nlines\n");
	assert_int_equal(http_config_load(&config, &options),
			 TRUNKCTL_EINVALID);
	assert_null(strstr(error_message(), "lines"));

	write_file(path, "\n");
	assert_int_equal(http_config_load(&config, &options),
			 TRUNKCTL_EINVALID);
	unlink(path);

	assert_int_equal(http_config_load(&config, &options), TRUNKCTL_EIO);
	assert_non_null(strstr(error_message(), path));
}

static void duration_forms(void **state)
{
	long ms = -1;

	(void)state;
	assert_int_equal(http_duration_parse("16", &ms), 0);
	assert_int_equal(ms, 16000);
	assert_int_equal(http_duration_parse("0.005", &ms), 0);
	assert_int_equal(ms, 5);
	assert_int_equal(http_duration_parse("250ms", &ms), 0);
	assert_int_equal(ms, 250);
	assert_int_equal(http_duration_parse("2s", &ms), 0);
	assert_int_equal(ms, 2000);
	assert_int_equal(http_duration_parse("-1", &ms), TRUNKCTL_EINVALID);
	assert_int_equal(http_duration_parse("5m", &ms), 0);
	assert_int_equal(ms, 300000);
	assert_int_equal(http_duration_parse("1h", &ms), 0);
	assert_int_equal(ms, 3600000);
	assert_int_equal(http_duration_parse("5 minutes", &ms),
			 TRUNKCTL_EINVALID);
	assert_int_equal(http_duration_parse(" 5", &ms), TRUNKCTL_EINVALID);
	assert_int_equal(http_duration_parse("0x10", &ms), TRUNKCTL_EINVALID);
	assert_int_equal(http_duration_parse("1e3", &ms), TRUNKCTL_EINVALID);
	assert_int_equal(http_duration_parse("", &ms), TRUNKCTL_EINVALID);
	assert_int_equal(http_duration_parse("nan", &ms), TRUNKCTL_EINVALID);
}

static void defaults_and_overrides(void **state)
{
	struct http_options options = {
		.region = "us-east-1",
		.retry_base = "1ms",
		.retry_attempts = "7",
		.request_timeout = "0.25",
	};
	struct http_config config;

	(void)state;
	setenv("TRUNKCTL_RETRY_BASE", "9", 1);
	setenv("TRUNKCTL_BREAKER_COOLDOWN", "300ms", 1);
	setenv("TRUNKCTL_MAX_REQUESTS_PER_MINUTE", "0", 1);
	assert_int_equal(http_config_load(&config, &options), 0);
	assert_int_equal(config.retry_base_ms, 1);      /* option wins */
	assert_int_equal(config.retry_attempts, 7);
	assert_int_equal(config.request_timeout_ms, 250);
	assert_int_equal(config.connect_timeout_ms, 250);
	assert_int_equal(config.breaker_cooldown_ms, 300);
	assert_int_equal(config.max_requests_per_minute, 0);
	assert_int_equal(config.retry_cap_ms, HTTP_DEFAULT_RETRY_CAP_MS);
	assert_int_equal(config.retry_after_max_ms,
			 HTTP_DEFAULT_RETRY_AFTER_MAX_MS);
	assert_int_equal(config.breaker_threshold,
			 HTTP_DEFAULT_BREAKER_THRESHOLD);
	assert_int_equal(config.page_size, 100);
	assert_int_equal(config.max_pages, 10000);
	http_config_release(&config);

	http_config_init(&config);
	assert_int_equal(config.request_timeout_ms, 16000);
	assert_int_equal(config.retry_base_ms, 500);
	assert_int_equal(config.retry_attempts, 5);
	assert_int_equal(config.breaker_cooldown_ms, 10000);
	assert_int_equal(config.max_requests_per_minute, 300);
}

static void invalid_figure_named(void **state)
{
	struct http_options options = { .region = "us-east-1" };
	struct http_config config;

	(void)state;
	setenv("TRUNKCTL_RETRY_ATTEMPTS", "zero", 1);
	assert_int_equal(http_config_load(&config, &options),
			 TRUNKCTL_EINVALID);
	assert_non_null(strstr(error_message(), "TRUNKCTL_RETRY_ATTEMPTS"));
	assert_non_null(strstr(error_message(), "'zero'"));

	options.request_timeout = "soon";
	assert_int_equal(http_config_load(&config, &options),
			 TRUNKCTL_EINVALID);
	assert_non_null(strstr(error_message(), "--request-timeout"));
}

static void secret_never_in_messages(void **state)
{
	struct http_options options = {
		.api_url = "http://remote.example.test",
	};
	struct http_config config;

	(void)state;
	assert_int_equal(http_config_load(&config, &options),
			 TRUNKCTL_EINVALID);
	assert_null(strstr(error_message(), SECRET));
}

static void client_needs_credentials(void **state)
{
	struct http_config config;
	struct http_client *client = NULL;

	(void)state;
	http_config_init(&config);
	assert_int_equal(http_client_new(&config, &client), TRUNKCTL_EINVALID);
	assert_null(client);
}

static void client_checks_urls(void **state)
{
	struct http_config config;
	struct http_client *client = NULL;

	(void)state;
	http_config_init(&config);
	config.api_url = strdup("http://api.example.test");
	config.login_url = strdup("http://127.0.0.1:9");
	config.client_id = strdup("client-1");
	config.client_secret = strdup(SECRET);
	assert_int_equal(http_client_new(&config, &client), TRUNKCTL_EINVALID);
	assert_null(client);
	assert_non_null(strstr(error_message(), "plain http"));
	http_config_release(&config);
}

static void cacert_must_exist(void **state)
{
	struct http_options options = {
		.region = "us-east-1",
		.cacert = "/nonexistent/trunkctl-ca.pem",
	};
	struct http_config config;

	(void)state;
	assert_int_equal(http_config_load(&config, &options), TRUNKCTL_EIO);
	assert_non_null(strstr(error_message(),
			       "'/nonexistent/trunkctl-ca.pem'"));
	assert_non_null(strstr(error_message(), "--cacert"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(region_table, setup),
		cmocka_unit_test_setup(region_option_sets_urls, setup),
		cmocka_unit_test_setup(region_from_environment, setup),
		cmocka_unit_test_setup(region_domain_form, setup),
		cmocka_unit_test_setup(region_unknown_name, setup),
		cmocka_unit_test_setup(no_region_no_url, setup),
		cmocka_unit_test_setup(login_url_derivation, setup),
		cmocka_unit_test_setup(api_url_overrides_region, setup),
		cmocka_unit_test_setup(login_url_option_wins, setup),
		cmocka_unit_test_setup(plain_http_loopback_only, setup),
		cmocka_unit_test_setup(plain_http_remote_rejected, setup),
		cmocka_unit_test_setup(missing_client_id, setup),
		cmocka_unit_test_setup(missing_client_secret, setup),
		cmocka_unit_test_setup(secret_file_trimmed, setup),
		cmocka_unit_test_setup(duration_forms, setup),
		cmocka_unit_test_setup(defaults_and_overrides, setup),
		cmocka_unit_test_setup(invalid_figure_named, setup),
		cmocka_unit_test_setup(secret_never_in_messages, setup),
		cmocka_unit_test_setup(client_needs_credentials, setup),
		cmocka_unit_test_setup(client_checks_urls, setup),
		cmocka_unit_test_setup(cacert_must_exist, setup),
	};
	int failed;

	curl_global_init(CURL_GLOBAL_DEFAULT);
	failed = cmocka_run_group_tests(tests, NULL, NULL);
	curl_global_cleanup();
	return failed;
}
