// The portable table: compiled for the baseline target (SSE2 on x86-64, NEON on arm64).
#include <cmath>
#include <cstring>
#include <limits>

#include "simd.h"

namespace hotplug {
namespace generic_impl {
constexpr int MR = 6;
constexpr int NR = 16;
#define HOTPLUG_SIMD_NAME "generic"
#include "simd_impl.h"
#undef HOTPLUG_SIMD_NAME
}  // namespace generic_impl

const SimdKernels kGenericKernels = generic_impl::kTable;
}  // namespace hotplug
