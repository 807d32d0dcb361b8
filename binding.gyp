{
  "targets": [
    {
      "target_name": "rxmp_native",
      "sources": ["native/shm.cc"],
      "cflags_cc": ["-std=c++17", "-Wall", "-Wextra", "-Wno-unused-parameter", "-Wno-cast-function-type"],
      "conditions": [["OS=='linux'", {"libraries": ["-lrt"]}]]
    }
  ]
}
