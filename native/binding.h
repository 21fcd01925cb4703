// Shared between the files of the kukeon native binding.
#pragma once
#include <node_api.h>

/** A Node-style system error (`code` "ENOENT", `errno`, "<syscall>: <strerror>"). */
napi_value errno_error(napi_env env, int err, const char *syscall);
napi_value throw_errno(napi_env env, int err, const char *syscall);
napi_value js_mkfifo(napi_env env, napi_callback_info info);
napi_value js_malloc_trim(napi_env env, napi_callback_info info);
napi_value js_spawn(napi_env env, napi_callback_info info);
napi_value js_try_reap(napi_env env, napi_callback_info info);
napi_value js_wait_exit(napi_env env, napi_callback_info info);
napi_value js_unix_call(napi_env env, napi_callback_info info);
