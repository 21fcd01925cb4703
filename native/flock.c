// Minimal N-API binding for flock(2): Node has no file-lock API, and flock gives exactly the
// semantics the store needs (shared/exclusive, per open file description, released by the kernel
// when the holder dies). Only non-blocking calls are exposed: waiting is done by the JS side with
// a timer so that no event-loop or libuv thread-pool thread is ever parked on a lock.
#include <errno.h>
#include <string.h>
#include <sys/file.h>
#include <node_api.h>
#include "binding.h"

// flock(fd, op) -> true when the operation succeeded, false when a LOCK_NB request would block.
static napi_value js_flock(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  int32_t fd, op;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 2 ||
      napi_get_value_int32(env, argv[0], &fd) != napi_ok ||
      napi_get_value_int32(env, argv[1], &op) != napi_ok) {
    napi_throw_type_error(env, NULL, "flock(fd: number, op: number)");
    return NULL;
  }
  int rc;
  do {
    rc = flock(fd, op);
  } while (rc != 0 && errno == EINTR);
  napi_value result;
  if (rc == 0) {
    napi_get_boolean(env, true, &result);
    return result;
  }
  if (errno == EWOULDBLOCK && (op & LOCK_NB)) {
    napi_get_boolean(env, false, &result);
    return result;
  }
  return throw_errno(env, errno, "flock");
}

static void set_int(napi_env env, napi_value obj, const char *name, int32_t v) {
  napi_value n;
  napi_create_int32(env, v, &n);
  napi_set_named_property(env, obj, name, n);
}

static napi_value init(napi_env env, napi_value exports) {
  napi_value fn;
  napi_create_function(env, "flock", NAPI_AUTO_LENGTH, js_flock, NULL, &fn);
  napi_set_named_property(env, exports, "flock", fn);
  napi_create_function(env, "mkfifo", NAPI_AUTO_LENGTH, js_mkfifo, NULL, &fn);
  napi_set_named_property(env, exports, "mkfifo", fn);
  napi_create_function(env, "mallocTrim", NAPI_AUTO_LENGTH, js_malloc_trim, NULL, &fn);
  napi_set_named_property(env, exports, "mallocTrim", fn);
  napi_create_function(env, "spawn", NAPI_AUTO_LENGTH, js_spawn, NULL, &fn);
  napi_set_named_property(env, exports, "spawn", fn);
  napi_create_function(env, "tryReap", NAPI_AUTO_LENGTH, js_try_reap, NULL, &fn);
  napi_set_named_property(env, exports, "tryReap", fn);
  napi_create_function(env, "waitExit", NAPI_AUTO_LENGTH, js_wait_exit, NULL, &fn);
  napi_set_named_property(env, exports, "waitExit", fn);
  napi_create_function(env, "unixCall", NAPI_AUTO_LENGTH, js_unix_call, NULL, &fn);
  napi_set_named_property(env, exports, "unixCall", fn);
  set_int(env, exports, "LOCK_SH", LOCK_SH);
  set_int(env, exports, "LOCK_EX", LOCK_EX);
  set_int(env, exports, "LOCK_NB", LOCK_NB);
  set_int(env, exports, "LOCK_UN", LOCK_UN);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
