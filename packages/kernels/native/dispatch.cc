// Picks the SIMD table once from the CPU's features; tests force each supported one in turn.
#include <cstring>
#include <string>

#include "simd.h"

namespace hotplug {
namespace {

#if defined(__x86_64__) || defined(__i386__)
// libgcc's check also reads XCR0, so an OS that does not save the zmm/opmask state (or AVX
// state) reports the feature as absent.
bool cpu_has_avx512f() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f");
}
bool cpu_has_avx2_fma() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}
#endif

// Best first; a table is listed only when this CPU can run it.
struct Candidate {
  const SimdKernels* table;
  bool (*supported)();
};

bool always() { return true; }

const Candidate kCandidates[] = {
#if defined(__x86_64__) || defined(__i386__)
    {&kAvx512Kernels, cpu_has_avx512f},
    {&kAvx2Kernels, cpu_has_avx2_fma},
#endif
    {&kGenericKernels, always},
};

const SimdKernels* best_table() {
  for (const Candidate& c : kCandidates)
    if (c.supported()) return c.table;
  return &kGenericKernels;
}

const SimdKernels* active = nullptr;

}  // namespace

const SimdKernels& simd() {
  if (active == nullptr) active = best_table();
  return *active;
}

const char* set_simd(const char* mode) {
  if (std::strcmp(mode, "auto") == 0) {
    active = best_table();
    return active->name;
  }
  for (const Candidate& c : kCandidates) {
    if (std::strcmp(mode, c.table->name) != 0) continue;
    if (!c.supported()) return nullptr;
    active = c.table;
    return active->name;
  }
  return nullptr;
}

const char* supported_simd() {
  static const std::string names = [] {
    std::string out;
    for (const Candidate& c : kCandidates)
      if (c.supported()) out += (out.empty() ? "" : ",") + std::string(c.table->name);
    return out;
  }();
  return names.c_str();
}

}  // namespace hotplug
