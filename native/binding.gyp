{
  "targets": [
    {
      "target_name": "kukeon_native",
      "sources": ["flock.c", "mkfifo.c", "malloc-trim.c", "spawn.c", "errno-error.c", "unix-call.c"],
      "cflags": ["-Wall", "-Wextra", "-O2"]
    }
  ]
}
