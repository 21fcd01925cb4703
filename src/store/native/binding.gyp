{
  "targets": [
    {
      "target_name": "kukeon_flock",
      "sources": ["flock.c", "mkfifo.c", "malloc-trim.c"],
      "cflags": ["-Wall", "-Wextra", "-O2"]
    }
  ]
}
