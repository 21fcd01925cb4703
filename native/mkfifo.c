// mkfifo(3) for the attach sessions: Node can read and write FIFOs but cannot create one, and the
// containerd shim opens a terminal task's stdin/stdout FIFOs without creating them.
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <node_api.h>
#include "binding.h"

// mkfifo(path, mode) -> true when created, false when the path already exists (any type: the
// caller checks it with lstat, as it must anyway after a crash).
napi_value js_mkfifo(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  char path[4096];
  size_t len;
  uint32_t mode;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 2 ||
      napi_get_value_string_utf8(env, argv[0], path, sizeof path, &len) != napi_ok ||
      len >= sizeof path - 1 || napi_get_value_uint32(env, argv[1], &mode) != napi_ok) {
    napi_throw_type_error(env, NULL, "mkfifo(path: string, mode: number)");
    return NULL;
  }
  napi_value result;
  if (mkfifo(path, (mode_t)mode) == 0) {
    napi_get_boolean(env, true, &result);
    return result;
  }
  if (errno == EEXIST) {
    napi_get_boolean(env, false, &result);
    return result;
  }
  return throw_errno(env, errno, "mkfifo");
}
