// posix_spawn(3) for kukeond's host commands (docs/runner-design.md, "Host commands"). Node's
// child_process forks the whole daemon (libuv has no vfork path): every page-table entry of a
// big process is copied with the event loop blocked. glibc's and musl's posix_spawn clone with
// CLONE_VM|CLONE_VFORK instead: no copy, only the calling thread waits until the child execs,
// and that thread is a libuv pool thread (napi async work), not the event loop.
//
// The child is reaped here, never by libuv: libuv's SIGCHLD handler calls waitpid() only for the
// pids it started, so the two never take each other's children.
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#include <node_api.h>
#include "binding.h"

// A JS string as a malloc'd C string (NULL when `v` is not a string).
static char *dup_string(napi_env env, napi_value v) {
  size_t len;
  if (napi_get_value_string_utf8(env, v, NULL, 0, &len) != napi_ok) return NULL;
  char *s = malloc(len + 1);
  if (!s) return NULL;
  napi_get_value_string_utf8(env, v, s, len + 1, &len);
  return s;
}

static void free_vector(char **v) {
  if (!v) return;
  for (char **p = v; *p; p++) free(*p);
  free(v);
}

// A JS array of strings as a NULL-terminated vector (NULL when it is not one).
static char **dup_vector(napi_env env, napi_value arr) {
  bool is_array;
  uint32_t n;
  if (napi_is_array(env, arr, &is_array) != napi_ok || !is_array ||
      napi_get_array_length(env, arr, &n) != napi_ok)
    return NULL;
  char **v = calloc((size_t)n + 1, sizeof *v);
  if (!v) return NULL;
  for (uint32_t i = 0; i < n; i++) {
    napi_value item;
    if (napi_get_element(env, arr, i, &item) != napi_ok || !(v[i] = dup_string(env, item))) {
      free_vector(v);
      return NULL;
    }
  }
  return v;
}

// What execvp would run: `file` itself when it holds a slash, else the first executable regular
// file of that name along PATH — the PATH of the child's environment, as Node's spawn searches
// (glibc's default when it has none). 0, or the errno execvp would report.
static int resolve_path(const char *file, char **envp, char *out, size_t size) {
  if (strchr(file, '/')) {
    if (strlen(file) >= size) return ENAMETOOLONG;
    strcpy(out, file);
    return 0;
  }
  const char *path = "/bin:/usr/bin";
  for (char **e = envp; *e; e++)
    if (strncmp(*e, "PATH=", 5) == 0) {
      path = *e + 5;
      break;
    }
  int found_unexecutable = 0;
  for (const char *p = path;; p++) {
    const char *end = strchrnul(p, ':');
    size_t dir_len = (size_t)(end - p);
    const char *dir = dir_len ? p : ".";
    if (!dir_len) dir_len = 1;
    if (dir_len + 1 + strlen(file) < size) {
      memcpy(out, dir, dir_len);
      out[dir_len] = '/';
      strcpy(out + dir_len + 1, file);
      struct stat st;
      if (stat(out, &st) == 0 && S_ISREG(st.st_mode)) {
        if (access(out, X_OK) == 0) return 0;
        found_unexecutable = 1;
      }
    }
    if (!*end) break;
    p = end;
  }
  return found_unexecutable ? EACCES : ENOENT;
}

// A pipe whose two ends are close-on-exec and above stdio's 0..2 (dup2 onto 0..2 in the child
// must not hit the same number, which would leave close-on-exec set).
static int cloexec_pipe(int fds[2]) {
  if (pipe2(fds, O_CLOEXEC) != 0) return errno;
  for (int i = 0; i < 2; i++) {
    if (fds[i] > 2) continue;
    int moved = fcntl(fds[i], F_DUPFD_CLOEXEC, 3);
    if (moved < 0) {
      int err = errno;
      close(fds[0]);
      close(fds[1]);
      return err;
    }
    close(fds[i]);
    fds[i] = moved;
  }
  return 0;
}

static void set_int(napi_env env, napi_value obj, const char *name, int32_t v) {
  napi_value n;
  napi_create_int32(env, v, &n);
  napi_set_named_property(env, obj, name, n);
}

// Runs `execute` on a libuv pool thread and `complete` back on the loop; returns the promise
// `complete` settles through `*deferred`.
static napi_value queue_on_pool(napi_env env, const char *name, napi_async_execute_callback execute,
                                napi_async_complete_callback complete, void *job,
                                napi_deferred *deferred, napi_async_work *work) {
  napi_value promise, resource_name;
  napi_create_promise(env, deferred, &promise);
  napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &resource_name);
  napi_create_async_work(env, NULL, resource_name, execute, complete, job, work);
  napi_queue_async_work(env, *work);
  return promise;
}

typedef struct {
  char *file;
  char **argv;
  char **envp;
  int err;             // 0, or the errno of the failed call
  const char *failed;  // which call failed
  pid_t pid;
  int in, out, errfd;  // the parent's ends
  napi_deferred deferred;
  napi_async_work work;
} spawn_job;

// Starts the child of `job` (any thread: posix_spawn suspends only the calling thread until the
// child has exec'd). Signal dispositions are reset and the signal mask emptied in the child, as
// libuv does (Node ignores SIGPIPE, and an ignored signal would stay ignored across exec).
static void start_child(spawn_job *job) {
  char path[4096];
  int in[2] = {-1, -1}, out[2] = {-1, -1}, errp[2] = {-1, -1};
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  int have_actions = 0, have_attr = 0;
  pid_t pid = -1;
  job->failed = "posix_spawn";
  int rc = resolve_path(job->file, job->envp, path, sizeof path);
  if (rc == 0 && ((rc = cloexec_pipe(in)) || (rc = cloexec_pipe(out)) || (rc = cloexec_pipe(errp))))
    job->failed = "pipe2";
  if (rc == 0 && (rc = posix_spawn_file_actions_init(&actions)) == 0) {
    have_actions = 1;
    if (!(rc = posix_spawn_file_actions_adddup2(&actions, in[0], 0)) &&
        !(rc = posix_spawn_file_actions_adddup2(&actions, out[1], 1)))
      rc = posix_spawn_file_actions_adddup2(&actions, errp[1], 2);
  }
  if (rc == 0 && (rc = posix_spawnattr_init(&attr)) == 0) {
    have_attr = 1;
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    sigdelset(&all, SIGKILL);
    sigdelset(&all, SIGSTOP);
    if (!(rc = posix_spawnattr_setsigmask(&attr, &none)) &&
        !(rc = posix_spawnattr_setsigdefault(&attr, &all)))
      rc = posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  }
  if (rc == 0) rc = posix_spawn(&pid, path, &actions, &attr, job->argv, job->envp);
  if (have_actions) posix_spawn_file_actions_destroy(&actions);
  if (have_attr) posix_spawnattr_destroy(&attr);
  // The child's ends belong to the child now (or to nobody, on failure).
  if (in[0] >= 0) close(in[0]);
  if (out[1] >= 0) close(out[1]);
  if (errp[1] >= 0) close(errp[1]);
  if (rc != 0) {
    if (in[1] >= 0) close(in[1]);
    if (out[0] >= 0) close(out[0]);
    if (errp[0] >= 0) close(errp[0]);
  }
  job->err = rc;
  job->pid = pid;
  job->in = in[1];
  job->out = out[0];
  job->errfd = errp[0];
}

static void free_spawn_job(spawn_job *job) {
  free(job->file);
  free_vector(job->argv);
  free_vector(job->envp);
  free(job);
}

static void spawn_execute(napi_env env, void *data) {
  (void)env;
  start_child(data);
}

static void spawn_complete(napi_env env, napi_status status, void *data) {
  spawn_job *job = data;
  (void)status;  // never cancelled
  if (job->err) {
    napi_value error = errno_error(env, job->err, job->failed);
    napi_reject_deferred(env, job->deferred, error);
  } else {
    napi_value result;
    napi_create_object(env, &result);
    set_int(env, result, "pid", job->pid);
    set_int(env, result, "stdin", job->in);
    set_int(env, result, "stdout", job->out);
    set_int(env, result, "stderr", job->errfd);
    napi_resolve_deferred(env, job->deferred, result);
  }
  napi_delete_async_work(env, job->work);
  free_spawn_job(job);
}

// spawn(file, argv, env) -> Promise<{ pid, stdin, stdout, stderr }>: the child runs `file`
// (searched along env's PATH when it holds no slash) with argv (argv[0] included) and env ("K=V"
// strings), its stdio three pipes whose other ends (close-on-exec) are handed back. Started on a
// libuv pool thread, so not even posix_spawn's short wait for the exec holds the event loop.
// Rejects with an errno error (`code` "ENOENT", "EACCES"...) when the command cannot start.
napi_value js_spawn(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value args[3];
  spawn_job *job = calloc(1, sizeof *job);
  if (!job) return throw_errno(env, ENOMEM, "spawn");
  if (napi_get_cb_info(env, info, &argc, args, NULL, NULL) != napi_ok || argc != 3 ||
      !(job->file = dup_string(env, args[0])) || !(job->argv = dup_vector(env, args[1])) ||
      !job->argv[0] || !(job->envp = dup_vector(env, args[2]))) {
    free_spawn_job(job);
    napi_throw_type_error(env, NULL, "spawn(file: string, argv: string[], env: string[])");
    return NULL;
  }
  return queue_on_pool(env, "kukeon:spawn", spawn_execute, spawn_complete, job, &job->deferred,
                       &job->work);
}

// { code, signal }: the exit code (null when killed) and the killing signal's number (null when
// it exited).
static napi_value exit_status(napi_env env, int status) {
  napi_value result, code, signal, null;
  napi_get_null(env, &null);
  napi_create_object(env, &result);
  if (WIFEXITED(status))
    napi_create_int32(env, WEXITSTATUS(status), &code);
  else
    code = null;
  if (WIFSIGNALED(status))
    napi_create_int32(env, WTERMSIG(status), &signal);
  else
    signal = null;
  napi_set_named_property(env, result, "code", code);
  napi_set_named_property(env, result, "signal", signal);
  return result;
}

static int get_pid(napi_env env, napi_callback_info info, const char *usage, pid_t *pid) {
  size_t argc = 1;
  napi_value argv[1];
  int32_t v;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 1 ||
      napi_get_value_int32(env, argv[0], &v) != napi_ok || v <= 0) {
    napi_throw_type_error(env, NULL, usage);
    return 0;
  }
  *pid = v;
  return 1;
}

// tryReap(pid) -> { code, signal } when the child has ended (it is reaped), null while it runs.
napi_value js_try_reap(napi_env env, napi_callback_info info) {
  pid_t pid;
  if (!get_pid(env, info, "tryReap(pid: number)", &pid)) return NULL;
  int status;
  pid_t r;
  do {
    r = waitpid(pid, &status, WNOHANG);
  } while (r < 0 && errno == EINTR);
  if (r < 0) return throw_errno(env, errno, "waitpid");
  if (r == 0) {
    napi_value null;
    napi_get_null(env, &null);
    return null;
  }
  return exit_status(env, status);
}

typedef struct {
  pid_t pid;
  int err;
  napi_deferred deferred;
  napi_async_work work;
} wait_job;

// On a libuv pool thread: waits for the child to end without reaping it (WNOWAIT), so that until
// the main thread reaps it its pid cannot be reused and a kill() from JS cannot reach a stranger.
static void wait_execute(napi_env env, void *data) {
  (void)env;
  wait_job *job = data;
  siginfo_t si;
  int r;
  do {
    r = waitid(P_PID, (id_t)job->pid, &si, WEXITED | WNOWAIT);
  } while (r < 0 && errno == EINTR);
  job->err = r < 0 ? errno : 0;
}

static void wait_complete(napi_env env, napi_status status, void *data) {
  wait_job *job = data;
  int err = status == napi_ok ? job->err : ECANCELED;
  int st = 0;
  if (!err) {
    pid_t r;
    do {
      r = waitpid(job->pid, &st, WNOHANG);
    } while (r < 0 && errno == EINTR);
    if (r < 0) err = errno;
    else if (r == 0) err = EAGAIN;  // cannot be: waitid saw it end and nobody else reaps it
  }
  if (err) {
    napi_value error = errno_error(env, err, "waitpid");
    napi_reject_deferred(env, job->deferred, error);
  } else {
    napi_resolve_deferred(env, job->deferred, exit_status(env, st));
  }
  napi_delete_async_work(env, job->work);
  free(job);
}

// waitExit(pid) -> Promise<{ code, signal }>: reaps the child once it ends, waiting on a pool
// thread. Called after its stdout and stderr reached end of file, when it has ended or is about
// to; a child that closed them early and runs on holds one pool thread until it ends.
napi_value js_wait_exit(napi_env env, napi_callback_info info) {
  pid_t pid;
  if (!get_pid(env, info, "waitExit(pid: number)", &pid)) return NULL;
  wait_job *job = calloc(1, sizeof *job);
  if (!job) return throw_errno(env, ENOMEM, "waitExit");
  job->pid = pid;
  return queue_on_pool(env, "kukeon:waitExit", wait_execute, wait_complete, job, &job->deferred,
                       &job->work);
}
