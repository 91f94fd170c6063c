// The AVX-512F table. Everything after the pragma is compiled for AVX-512F (+FMA); it only
// runs after dispatch.cc checked that the CPU and the OS support it. The elementwise loops of
// simd_impl.h are auto-vectorised with 512-bit registers (prefer-vector-width=512: GCC would
// otherwise keep to 256 bits); exp and the functions built on it are written by hand, with
// the same constants and formulas as the scalar versions, which finish each array's tail.
#include <cmath>
#include <cstring>
#include <limits>

#include "simd.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

#pragma GCC push_options
#pragma GCC target("avx512f,avx2,fma,prefer-vector-width=512")

namespace hotplug {
namespace avx512_impl {

// 12 x 32 register tile: 24 zmm accumulators, two loads of B and 12 broadcasts of A per k
// (the AVX2 tile's 6 x 16 would leave too few independent FMAs in flight at this width).
constexpr int MR = 12;
constexpr int NR = 32;
static_assert(MR <= kMaxMR && NR <= kMaxNR, "tile larger than the GEMM buffers");

#define HOTPLUG_HAS_MICRO_KERNEL
static void micro_kernel(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, bool accumulate) {
  __m512 lo[MR], hi[MR];
#pragma GCC unroll 12
  for (int i = 0; i < MR; i++) lo[i] = hi[i] = _mm512_setzero_ps();
  for (int64_t k = 0; k < kc; k++) {
    const __m512 b0 = _mm512_loadu_ps(b);
    const __m512 b1 = _mm512_loadu_ps(b + 16);
#pragma GCC unroll 12
    for (int i = 0; i < MR; i++) {
      const __m512 av = _mm512_set1_ps(a[i]);
      lo[i] = _mm512_fmadd_ps(av, b0, lo[i]);
      hi[i] = _mm512_fmadd_ps(av, b1, hi[i]);
    }
    a += MR;
    b += NR;
  }
#pragma GCC unroll 12
  for (int i = 0; i < MR; i++) {
    float* ci = c + i * ldc;
    __m512 l = lo[i], h = hi[i];
    if (accumulate) {
      l = _mm512_add_ps(l, _mm512_loadu_ps(ci));
      h = _mm512_add_ps(h, _mm512_loadu_ps(ci + 16));
    }
    _mm512_storeu_ps(ci, l);
    _mm512_storeu_ps(ci + 16, h);
  }
}

static inline __m512 exp512(__m512 x) {
  const __m512 xc = _mm512_min_ps(_mm512_max_ps(x, _mm512_set1_ps(-87.3f)), _mm512_set1_ps(88.3f));
  const __m512 n = _mm512_roundscale_ps(_mm512_mul_ps(xc, _mm512_set1_ps(1.44269504088896341f)), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(0.693359375f), xc);
  r = _mm512_fnmadd_ps(n, _mm512_set1_ps(-2.12194440e-4f), r);
  __m512 p = _mm512_set1_ps(1.9875691500e-4f);
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.3981999507e-3f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(8.3334519073e-3f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(4.1665795894e-2f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.6666665459e-1f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(5.0000001201e-1f));
  p = _mm512_fmadd_ps(p, _mm512_mul_ps(r, r), _mm512_add_ps(r, _mm512_set1_ps(1.0f)));
  const __m512i e = _mm512_slli_epi32(_mm512_add_epi32(_mm512_cvtps_epi32(n), _mm512_set1_epi32(127)), 23);
  __m512 result = _mm512_mul_ps(p, _mm512_castsi512_ps(e));
  result = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(x, _mm512_set1_ps(88.72283f), _CMP_GT_OQ), result,
                                _mm512_set1_ps(std::numeric_limits<float>::infinity()));
  return _mm512_mask_blend_ps(_mm512_cmp_ps_mask(x, x, _CMP_UNORD_Q), result, x);
}

// Bitwise float ops through the integer unit: _mm512_and_ps / or_ps need AVX-512DQ.
static inline __m512 abs512(__m512 x) {
  return _mm512_castsi512_ps(_mm512_and_si512(_mm512_castps_si512(x), _mm512_set1_epi32(0x7fffffff)));
}
static inline __m512 with_sign_of(__m512 magnitude, __m512 x) {
  const __m512i sign = _mm512_and_si512(_mm512_castps_si512(x), _mm512_set1_epi32(static_cast<int>(0x80000000u)));
  return _mm512_castsi512_ps(_mm512_or_si512(_mm512_castps_si512(magnitude), sign));
}

static inline __m512 erf512(__m512 x) {
  const __m512 one = _mm512_set1_ps(1.0f);
  const __m512 ax = abs512(x);
  const __m512 t = _mm512_div_ps(one, _mm512_fmadd_ps(_mm512_set1_ps(0.3275911f), ax, one));
  __m512 poly = _mm512_fmadd_ps(_mm512_set1_ps(1.061405429f), t, _mm512_set1_ps(-1.453152027f));
  poly = _mm512_fmadd_ps(poly, t, _mm512_set1_ps(1.421413741f));
  poly = _mm512_fmadd_ps(poly, t, _mm512_set1_ps(-0.284496736f));
  poly = _mm512_fmadd_ps(poly, t, _mm512_set1_ps(0.254829592f));
  poly = _mm512_mul_ps(poly, t);
  const __m512 x2 = _mm512_mul_ps(ax, ax);
  const __m512 far = _mm512_fnmadd_ps(poly, exp512(_mm512_sub_ps(_mm512_setzero_ps(), x2)), one);
  __m512 series = _mm512_set1_ps(-1.0f / 1320);
  series = _mm512_fmadd_ps(series, x2, _mm512_set1_ps(1.0f / 216));
  series = _mm512_fmadd_ps(series, x2, _mm512_set1_ps(-1.0f / 42));
  series = _mm512_fmadd_ps(series, x2, _mm512_set1_ps(1.0f / 10));
  series = _mm512_fmadd_ps(series, x2, _mm512_set1_ps(-1.0f / 3));
  series = _mm512_fmadd_ps(series, x2, one);
  const __m512 near = _mm512_mul_ps(_mm512_mul_ps(_mm512_set1_ps(1.1283791670955126f), ax), series);
  const __m512 y = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(ax, _mm512_set1_ps(0.5f), _CMP_LT_OQ), far, near);
  return with_sign_of(y, x);
}

static inline __m512 tanh512(__m512 x) {
  const __m512 one = _mm512_set1_ps(1.0f);
  const __m512 ax = abs512(x);
  const __m512 e = exp512(_mm512_mul_ps(_mm512_set1_ps(-2.0f), ax));
  const __m512 t = _mm512_div_ps(_mm512_sub_ps(one, e), _mm512_add_ps(one, e));
  const __m512 small = _mm512_mul_ps(ax, _mm512_fnmadd_ps(_mm512_mul_ps(ax, ax), _mm512_set1_ps(1.0f / 3.0f), one));
  const __m512 mag = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(ax, _mm512_set1_ps(0.02f), _CMP_LT_OQ), t, small);
  return with_sign_of(mag, x);
}

static inline __m512 sigmoid512(__m512 x) {
  const __m512 one = _mm512_set1_ps(1.0f);
  return _mm512_div_ps(one, _mm512_add_ps(one, exp512(_mm512_sub_ps(_mm512_setzero_ps(), x))));
}

template <__m512 (*F)(__m512)>
static int64_t map512(const float* x, float* out, int64_t n) {
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) _mm512_storeu_ps(out + i, F(_mm512_loadu_ps(x + i)));
  return i;
}

#define HOTPLUG_HAS_VECTOR_TRANSCENDENTALS
static int64_t vector_transcendental(int op, const float* x, float* out, int64_t n) {
  switch (op) {
    case kExp: return map512<exp512>(x, out, n);
    case kErf: return map512<erf512>(x, out, n);
    case kTanh: return map512<tanh512>(x, out, n);
    case kSigmoid: return map512<sigmoid512>(x, out, n);
    default: return 0;
  }
}

static int64_t vector_exp_shifted(const float* x, float shift, float* out, int64_t n) {
  const __m512 s = _mm512_set1_ps(shift);
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) _mm512_storeu_ps(out + i, exp512(_mm512_sub_ps(_mm512_loadu_ps(x + i), s)));
  return i;
}

#define HOTPLUG_SIMD_NAME "avx512f"
#include "simd_impl.h"
#undef HOTPLUG_SIMD_NAME
#undef HOTPLUG_HAS_MICRO_KERNEL
#undef HOTPLUG_HAS_VECTOR_TRANSCENDENTALS

}  // namespace avx512_impl

const SimdKernels kAvx512Kernels = avx512_impl::kTable;
}  // namespace hotplug

#pragma GCC pop_options
#endif
