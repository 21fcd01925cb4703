// malloc_trim(3) for kukeond: glibc keeps memory freed by V8's compilers, libuv and nghttp2 in its
// arenas (one per thread that allocated), so a burst of work leaves the daemon's RSS high long
// after the memory is free. malloc_trim(0) hands the free pages of every arena back to the kernel.
#include <node_api.h>
#include "binding.h"
#ifdef __GLIBC__
#include <malloc.h>
#endif

// mallocTrim() -> true when memory was released; false when none was, or without glibc.
napi_value js_malloc_trim(napi_env env, napi_callback_info info) {
  (void)info;
  int released = 0;
#ifdef __GLIBC__
  released = malloc_trim(0);
#endif
  napi_value result;
  napi_get_boolean(env, released != 0, &result);
  return result;
}
