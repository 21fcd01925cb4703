// One blocking request/reply round trip on a unix stream socket, for `kuke`'s short daemon calls
// (docs/bench-cli.md, "The blocking call"): node:net and the stream modules it loads cost a
// short-lived CLI more than the whole call does, and a process that makes one call and exits has
// nothing to do on its event loop meanwhile.
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>
#include <node_api.h>
#include "binding.h"

// The error thrown for a failed step: an errno error with `syscall` ("connect", "write", "read").
static napi_value fail(napi_env env, int fd, int err, const char *syscall) {
  if (fd >= 0) close(fd);
  return throw_errno(env, err, syscall);
}

// unixCall(path, request, connectTimeoutMs, maxReplyBytes) -> the bytes read up to and including
// the first newline (a string), or everything read before the peer closed (possibly "").
// Connect failures throw with syscall "connect" (code ENOENT, ECONNREFUSED, EACCES, EAGAIN on the
// timeout...), later ones with "write"/"read"; a reply beyond maxReplyBytes throws E2BIG.
napi_value js_unix_call(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  struct sockaddr_un addr;
  size_t path_len, req_len;
  uint32_t timeout_ms, max_bytes;
  memset(&addr, 0, sizeof addr);
  addr.sun_family = AF_UNIX;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 4 ||
      napi_get_value_string_utf8(env, argv[0], addr.sun_path, sizeof addr.sun_path, &path_len) != napi_ok ||
      path_len >= sizeof addr.sun_path - 1 ||
      napi_get_value_string_utf8(env, argv[1], NULL, 0, &req_len) != napi_ok ||
      napi_get_value_uint32(env, argv[2], &timeout_ms) != napi_ok ||
      napi_get_value_uint32(env, argv[3], &max_bytes) != napi_ok) {
    napi_throw_type_error(env, NULL,
                          "unixCall(path: string (< 107 bytes), request: string, connectTimeoutMs: number, "
                          "maxReplyBytes: number)");
    return NULL;
  }
  char *req = malloc(req_len + 1);
  if (!req) return throw_errno(env, ENOMEM, "malloc");
  napi_get_value_string_utf8(env, argv[1], req, req_len + 1, &req_len);

  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    free(req);
    return fail(env, -1, errno, "socket");
  }
  // A unix connect waits (for a full backlog) at most the send timeout.
  struct timeval tv = {.tv_sec = timeout_ms / 1000, .tv_usec = (timeout_ms % 1000) * 1000};
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  int rc;
  do {
    rc = connect(fd, (struct sockaddr *)&addr, sizeof addr);
  } while (rc != 0 && errno == EINTR);
  if (rc != 0) {
    free(req);
    return fail(env, fd, errno, "connect");
  }
  struct timeval none = {0, 0};
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &none, sizeof none);
  for (size_t off = 0; off < req_len;) {
    ssize_t n = send(fd, req + off, req_len - off, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      free(req);
      return fail(env, fd, errno, "write");
    }
    off += (size_t)n;
  }
  free(req);

  size_t cap = 64 * 1024, len = 0;
  char *buf = malloc(cap);
  if (!buf) return fail(env, fd, ENOMEM, "malloc");
  for (;;) {
    if (len == cap) {
      if (cap >= max_bytes) {
        free(buf);
        return fail(env, fd, E2BIG, "read");
      }
      size_t next = cap * 2 > max_bytes ? max_bytes : cap * 2;
      char *grown = realloc(buf, next);
      if (!grown) {
        free(buf);
        return fail(env, fd, ENOMEM, "malloc");
      }
      buf = grown;
      cap = next;
    }
    ssize_t n = read(fd, buf + len, cap - len);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      free(buf);
      return fail(env, fd, errno, "read");
    }
    if (n == 0) break;
    char *nl = memchr(buf + len, '\n', (size_t)n);
    len += (size_t)n;
    if (nl) {
      len = (size_t)(nl - buf) + 1;
      break;
    }
  }
  close(fd);
  napi_value result;
  napi_status st = napi_create_string_utf8(env, buf, len, &result);
  free(buf);
  if (st != napi_ok) return throw_errno(env, ENOMEM, "read");
  return result;
}
