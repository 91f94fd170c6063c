// Picks the SIMD table once from the CPU's features; tests can force the portable one.
#include <cstring>

#include "simd.h"

namespace hotplug {
namespace {

bool cpu_has_avx2_fma() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
  return false;
#endif
}

const SimdKernels* best_table() {
#if defined(__x86_64__) || defined(__i386__)
  if (cpu_has_avx2_fma()) return &kAvx2Kernels;
#endif
  return &kGenericKernels;
}

const SimdKernels* active = nullptr;

}  // namespace

const SimdKernels& simd() {
  if (active == nullptr) active = best_table();
  return *active;
}

const char* set_simd(const char* mode) {
  active = std::strcmp(mode, "generic") == 0 ? &kGenericKernels : best_table();
  return active->name;
}

}  // namespace hotplug
