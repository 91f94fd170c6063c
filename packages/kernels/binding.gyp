{
  "targets": [
    {
      "target_name": "hotplug_kernels",
      "sources": [
        "native/addon.cc",
        "native/attention.cc",
        "native/dispatch.cc",
        "native/fused.cc",
        "native/fused_api.cc",
        "native/gemm.cc",
        "native/linear.cc",
        "native/ops.cc",
        "native/simd_avx2.cc",
        "native/simd_avx512.cc",
        "native/simd_generic.cc",
        "native/thread_pool.cc"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti"],
      "cflags_cc": ["-std=c++17", "-O3", "-fno-math-errno", "-fno-trapping-math", "-fexceptions"],
      "xcode_settings": {
        "GCC_ENABLE_CPP_EXCEPTIONS": "YES",
        "OTHER_CPLUSPLUSFLAGS": ["-std=c++17", "-O3", "-fno-math-errno"]
      }
    }
  ]
}
