// The AVX2/FMA table. Everything after the pragma is compiled for AVX2+FMA; it only runs
// after simd() checked the CPU supports both (see dispatch.cc).
#include <cmath>
#include <cstring>
#include <limits>

#include "simd.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

#pragma GCC push_options
#pragma GCC target("avx2,fma")

namespace hotplug {
namespace avx2_impl {

constexpr int MR = 6;
constexpr int NR = 16;

#define HOTPLUG_HAS_MICRO_KERNEL
// 6 x 16 register tile: 12 ymm accumulators, one broadcast of A and two loads of B per k.
static void micro_kernel(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, bool accumulate) {
  __m256 c00 = _mm256_setzero_ps(), c01 = _mm256_setzero_ps();
  __m256 c10 = _mm256_setzero_ps(), c11 = _mm256_setzero_ps();
  __m256 c20 = _mm256_setzero_ps(), c21 = _mm256_setzero_ps();
  __m256 c30 = _mm256_setzero_ps(), c31 = _mm256_setzero_ps();
  __m256 c40 = _mm256_setzero_ps(), c41 = _mm256_setzero_ps();
  __m256 c50 = _mm256_setzero_ps(), c51 = _mm256_setzero_ps();
  for (int64_t k = 0; k < kc; k++) {
    const __m256 b0 = _mm256_loadu_ps(b);
    const __m256 b1 = _mm256_loadu_ps(b + 8);
    __m256 av = _mm256_broadcast_ss(a + 0);
    c00 = _mm256_fmadd_ps(av, b0, c00);
    c01 = _mm256_fmadd_ps(av, b1, c01);
    av = _mm256_broadcast_ss(a + 1);
    c10 = _mm256_fmadd_ps(av, b0, c10);
    c11 = _mm256_fmadd_ps(av, b1, c11);
    av = _mm256_broadcast_ss(a + 2);
    c20 = _mm256_fmadd_ps(av, b0, c20);
    c21 = _mm256_fmadd_ps(av, b1, c21);
    av = _mm256_broadcast_ss(a + 3);
    c30 = _mm256_fmadd_ps(av, b0, c30);
    c31 = _mm256_fmadd_ps(av, b1, c31);
    av = _mm256_broadcast_ss(a + 4);
    c40 = _mm256_fmadd_ps(av, b0, c40);
    c41 = _mm256_fmadd_ps(av, b1, c41);
    av = _mm256_broadcast_ss(a + 5);
    c50 = _mm256_fmadd_ps(av, b0, c50);
    c51 = _mm256_fmadd_ps(av, b1, c51);
    a += MR;
    b += NR;
  }
  const __m256 rows[MR][2] = {{c00, c01}, {c10, c11}, {c20, c21}, {c30, c31}, {c40, c41}, {c50, c51}};
  for (int i = 0; i < MR; i++) {
    float* ci = c + i * ldc;
    __m256 lo = rows[i][0];
    __m256 hi = rows[i][1];
    if (accumulate) {
      lo = _mm256_add_ps(lo, _mm256_loadu_ps(ci));
      hi = _mm256_add_ps(hi, _mm256_loadu_ps(ci + 8));
    }
    _mm256_storeu_ps(ci, lo);
    _mm256_storeu_ps(ci + 8, hi);
  }
}

// Vector versions of fast_exp and the functions built on it (same constants and formulas as
// the scalar ones in simd_impl.h, which finish the last few elements of each array).
static inline __m256 exp256(__m256 x) {
  const __m256 xc = _mm256_min_ps(_mm256_max_ps(x, _mm256_set1_ps(-87.3f)), _mm256_set1_ps(88.3f));
  const __m256 n = _mm256_round_ps(_mm256_mul_ps(xc, _mm256_set1_ps(1.44269504088896341f)), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693359375f), xc);
  r = _mm256_fnmadd_ps(n, _mm256_set1_ps(-2.12194440e-4f), r);
  __m256 p = _mm256_set1_ps(1.9875691500e-4f);
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.3981999507e-3f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(8.3334519073e-3f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(4.1665795894e-2f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.6666665459e-1f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(5.0000001201e-1f));
  p = _mm256_fmadd_ps(p, _mm256_mul_ps(r, r), _mm256_add_ps(r, _mm256_set1_ps(1.0f)));
  const __m256i e = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
  __m256 result = _mm256_mul_ps(p, _mm256_castsi256_ps(e));
  result = _mm256_blendv_ps(result, _mm256_set1_ps(std::numeric_limits<float>::infinity()), _mm256_cmp_ps(x, _mm256_set1_ps(88.72283f), _CMP_GT_OQ));
  return _mm256_blendv_ps(result, x, _mm256_cmp_ps(x, x, _CMP_UNORD_Q));
}

static inline __m256 abs256(__m256 x) { return _mm256_andnot_ps(_mm256_set1_ps(-0.0f), x); }
static inline __m256 with_sign_of(__m256 magnitude, __m256 x) {
  return _mm256_or_ps(magnitude, _mm256_and_ps(x, _mm256_set1_ps(-0.0f)));
}

static inline __m256 erf256(__m256 x) {
  const __m256 one = _mm256_set1_ps(1.0f);
  const __m256 ax = abs256(x);
  const __m256 t = _mm256_div_ps(one, _mm256_fmadd_ps(_mm256_set1_ps(0.3275911f), ax, one));
  __m256 poly = _mm256_fmadd_ps(_mm256_set1_ps(1.061405429f), t, _mm256_set1_ps(-1.453152027f));
  poly = _mm256_fmadd_ps(poly, t, _mm256_set1_ps(1.421413741f));
  poly = _mm256_fmadd_ps(poly, t, _mm256_set1_ps(-0.284496736f));
  poly = _mm256_fmadd_ps(poly, t, _mm256_set1_ps(0.254829592f));
  poly = _mm256_mul_ps(poly, t);
  const __m256 x2 = _mm256_mul_ps(ax, ax);
  const __m256 far = _mm256_fnmadd_ps(poly, exp256(_mm256_sub_ps(_mm256_setzero_ps(), x2)), one);
  __m256 series = _mm256_set1_ps(-1.0f / 1320);
  series = _mm256_fmadd_ps(series, x2, _mm256_set1_ps(1.0f / 216));
  series = _mm256_fmadd_ps(series, x2, _mm256_set1_ps(-1.0f / 42));
  series = _mm256_fmadd_ps(series, x2, _mm256_set1_ps(1.0f / 10));
  series = _mm256_fmadd_ps(series, x2, _mm256_set1_ps(-1.0f / 3));
  series = _mm256_fmadd_ps(series, x2, one);
  const __m256 near = _mm256_mul_ps(_mm256_mul_ps(_mm256_set1_ps(1.1283791670955126f), ax), series);
  const __m256 y = _mm256_blendv_ps(far, near, _mm256_cmp_ps(ax, _mm256_set1_ps(0.5f), _CMP_LT_OQ));
  return with_sign_of(y, x);
}

static inline __m256 tanh256(__m256 x) {
  const __m256 one = _mm256_set1_ps(1.0f);
  const __m256 ax = abs256(x);
  const __m256 e = exp256(_mm256_mul_ps(_mm256_set1_ps(-2.0f), ax));
  const __m256 t = _mm256_div_ps(_mm256_sub_ps(one, e), _mm256_add_ps(one, e));
  const __m256 small = _mm256_mul_ps(ax, _mm256_fnmadd_ps(_mm256_mul_ps(ax, ax), _mm256_set1_ps(1.0f / 3.0f), one));
  const __m256 mag = _mm256_blendv_ps(t, small, _mm256_cmp_ps(ax, _mm256_set1_ps(0.02f), _CMP_LT_OQ));
  return with_sign_of(mag, x);
}

static inline __m256 sigmoid256(__m256 x) {
  const __m256 one = _mm256_set1_ps(1.0f);
  return _mm256_div_ps(one, _mm256_add_ps(one, exp256(_mm256_sub_ps(_mm256_setzero_ps(), x))));
}

template <__m256 (*F)(__m256)>
static int64_t map256(const float* x, float* out, int64_t n) {
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(out + i, F(_mm256_loadu_ps(x + i)));
  return i;
}

#define HOTPLUG_HAS_VECTOR_TRANSCENDENTALS
static int64_t vector_transcendental(int op, const float* x, float* out, int64_t n) {
  switch (op) {
    case kExp: return map256<exp256>(x, out, n);
    case kErf: return map256<erf256>(x, out, n);
    case kTanh: return map256<tanh256>(x, out, n);
    case kSigmoid: return map256<sigmoid256>(x, out, n);
    default: return 0;
  }
}

static int64_t vector_exp_shifted(const float* x, float shift, float* out, int64_t n) {
  const __m256 s = _mm256_set1_ps(shift);
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(out + i, exp256(_mm256_sub_ps(_mm256_loadu_ps(x + i), s)));
  return i;
}

#define HOTPLUG_SIMD_NAME "avx2-fma"
#include "simd_impl.h"
#undef HOTPLUG_SIMD_NAME
#undef HOTPLUG_HAS_MICRO_KERNEL
#undef HOTPLUG_HAS_VECTOR_TRANSCENDENTALS

}  // namespace avx2_impl

const SimdKernels kAvx2Kernels = avx2_impl::kTable;
}  // namespace hotplug

#pragma GCC pop_options
#endif
