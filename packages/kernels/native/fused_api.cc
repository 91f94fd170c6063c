// N-API functions of the fused kernels (native/fused.h); registered into the addon's exports
// by addon.cc. Every length is checked against rows x cols before a pointer is touched.
#include <napi.h>

#include <string>

#include "attention.h"
#include "fused.h"
#include "linear.h"

namespace hotplug {
namespace {

Napi::Float32Array f32(const Napi::CallbackInfo& info, size_t i, const char* fn, const char* name, int64_t length) {
  if (!info[i].IsTypedArray() || info[i].As<Napi::TypedArray>().TypedArrayType() != napi_float32_array)
    throw Napi::TypeError::New(info.Env(), std::string(fn) + ": " + name + " must be a Float32Array");
  auto a = info[i].As<Napi::Float32Array>();
  if (static_cast<int64_t>(a.ElementLength()) != length)
    throw Napi::RangeError::New(info.Env(), std::string(fn) + ": " + name + " has " + std::to_string(a.ElementLength()) +
                                                " elements, expected " + std::to_string(length));
  return a;
}

int64_t count(const Napi::CallbackInfo& info, size_t i, const char* fn, const char* name) {
  if (!info[i].IsNumber()) throw Napi::TypeError::New(info.Env(), std::string(fn) + ": " + name + " must be a number");
  const double v = info[i].As<Napi::Number>().DoubleValue();
  // Below 2^31 each: rows * cols then fits int64 and matches what a typed array can hold.
  if (!(v >= 0 && v < 2147483648.0) || v != static_cast<double>(static_cast<int64_t>(v)))
    throw Napi::RangeError::New(info.Env(), std::string(fn) + ": " + name + " must be an integer in [0, 2^31)");
  return static_cast<int64_t>(v);
}

int gelu_kind(const Napi::CallbackInfo& info, const char* fn) {
  const int64_t kind = count(info, 0, fn, "kind");
  if (kind != kGeluErf && kind != kGeluQuick) throw Napi::RangeError::New(info.Env(), std::string(fn) + ": kind must be 0 (erf) or 1 (quick)");
  return static_cast<int>(kind);
}

// layerNorm(x, gamma, beta, y, mean, rstd, rows, cols, epsilon)
Napi::Value LayerNorm(const Napi::CallbackInfo& info) {
  const char* fn = "layerNorm";
  const int64_t rows = count(info, 6, fn, "rows"), cols = count(info, 7, fn, "cols");
  if (!info[8].IsNumber() || !(info[8].As<Napi::Number>().FloatValue() > 0)) throw Napi::RangeError::New(info.Env(), "layerNorm: epsilon must be a number > 0");
  auto x = f32(info, 0, fn, "x", rows * cols), gamma = f32(info, 1, fn, "gamma", cols), beta = f32(info, 2, fn, "beta", cols);
  auto y = f32(info, 3, fn, "y", rows * cols), mean = f32(info, 4, fn, "mean", rows), rstd = f32(info, 5, fn, "rstd", rows);
  layer_norm_forward(x.Data(), gamma.Data(), beta.Data(), y.Data(), mean.Data(), rstd.Data(), rows, cols, info[8].As<Napi::Number>().FloatValue());
  return info.Env().Undefined();
}

// layerNormGrad(dy, x, gamma, mean, rstd, dx, dgamma, dbeta, rows, cols)
Napi::Value LayerNormGrad(const Napi::CallbackInfo& info) {
  const char* fn = "layerNormGrad";
  const int64_t rows = count(info, 8, fn, "rows"), cols = count(info, 9, fn, "cols");
  auto dy = f32(info, 0, fn, "dy", rows * cols), x = f32(info, 1, fn, "x", rows * cols), gamma = f32(info, 2, fn, "gamma", cols);
  auto mean = f32(info, 3, fn, "mean", rows), rstd = f32(info, 4, fn, "rstd", rows);
  auto dx = f32(info, 5, fn, "dx", rows * cols), dgamma = f32(info, 6, fn, "dgamma", cols), dbeta = f32(info, 7, fn, "dbeta", cols);
  layer_norm_backward(dy.Data(), x.Data(), gamma.Data(), mean.Data(), rstd.Data(), dx.Data(), dgamma.Data(), dbeta.Data(), rows, cols);
  return info.Env().Undefined();
}

// gelu(kind, x, y)
Napi::Value Gelu(const Napi::CallbackInfo& info) {
  const char* fn = "gelu";
  const int kind = gelu_kind(info, fn);
  if (!info[1].IsTypedArray()) throw Napi::TypeError::New(info.Env(), "gelu: x must be a Float32Array");
  const int64_t n = static_cast<int64_t>(info[1].As<Napi::TypedArray>().ElementLength());
  auto x = f32(info, 1, fn, "x", n), y = f32(info, 2, fn, "y", n);
  gelu_forward(kind, x.Data(), y.Data(), n);
  return info.Env().Undefined();
}

// geluGrad(kind, x, dy, dx)
Napi::Value GeluGrad(const Napi::CallbackInfo& info) {
  const char* fn = "geluGrad";
  const int kind = gelu_kind(info, fn);
  if (!info[1].IsTypedArray()) throw Napi::TypeError::New(info.Env(), "geluGrad: x must be a Float32Array");
  const int64_t n = static_cast<int64_t>(info[1].As<Napi::TypedArray>().ElementLength());
  auto x = f32(info, 1, fn, "x", n), dy = f32(info, 2, fn, "dy", n), dx = f32(info, 3, fn, "dx", n);
  gelu_backward(kind, x.Data(), dy.Data(), dx.Data(), n);
  return info.Env().Undefined();
}

int64_t product_of(const Napi::CallbackInfo& info, const char* fn, int64_t a, int64_t b, int64_t c) {
  // Each factor is below 2^31; a product past 2^53 could not be a typed array's length anyway.
  const double n = static_cast<double>(a) * static_cast<double>(b) * static_cast<double>(c);
  if (n > 9007199254740992.0) throw Napi::RangeError::New(info.Env(), std::string(fn) + ": sizes overflow");
  return a * b * c;
}

// attention(q, k, v, out, p, pairs, tq, tk, d, dv, scale, causal)
Napi::Value Attention(const Napi::CallbackInfo& info) {
  const char* fn = "attention";
  const int64_t pairs = count(info, 5, fn, "pairs"), tq = count(info, 6, fn, "tq"), tk = count(info, 7, fn, "tk");
  const int64_t d = count(info, 8, fn, "d"), dv = count(info, 9, fn, "dv");
  if (!info[10].IsNumber()) throw Napi::TypeError::New(info.Env(), "attention: scale must be a number");
  auto q = f32(info, 0, fn, "q", product_of(info, fn, pairs, tq, d)), k = f32(info, 1, fn, "k", product_of(info, fn, pairs, tk, d));
  auto v = f32(info, 2, fn, "v", product_of(info, fn, pairs, tk, dv)), out = f32(info, 3, fn, "out", product_of(info, fn, pairs, tq, dv));
  auto p = f32(info, 4, fn, "p", product_of(info, fn, pairs, tq, tk));
  attention_forward(q.Data(), k.Data(), v.Data(), out.Data(), p.Data(), pairs, tq, tk, d, dv, info[10].As<Napi::Number>().FloatValue(),
                    info[11].ToBoolean());
  return info.Env().Undefined();
}

// attentionGrad(dout, q, k, v, p, dq, dk, dv, pairs, tq, tk, d, dv, scale)
Napi::Value AttentionGrad(const Napi::CallbackInfo& info) {
  const char* fn = "attentionGrad";
  const int64_t pairs = count(info, 8, fn, "pairs"), tq = count(info, 9, fn, "tq"), tk = count(info, 10, fn, "tk");
  const int64_t d = count(info, 11, fn, "d"), dv = count(info, 12, fn, "dv");
  if (!info[13].IsNumber()) throw Napi::TypeError::New(info.Env(), "attentionGrad: scale must be a number");
  auto dout = f32(info, 0, fn, "dout", product_of(info, fn, pairs, tq, dv)), q = f32(info, 1, fn, "q", product_of(info, fn, pairs, tq, d));
  auto k = f32(info, 2, fn, "k", product_of(info, fn, pairs, tk, d)), v = f32(info, 3, fn, "v", product_of(info, fn, pairs, tk, dv));
  auto p = f32(info, 4, fn, "p", product_of(info, fn, pairs, tq, tk)), dq = f32(info, 5, fn, "dq", product_of(info, fn, pairs, tq, d));
  auto dk = f32(info, 6, fn, "dk", product_of(info, fn, pairs, tk, d)), dvv = f32(info, 7, fn, "dv", product_of(info, fn, pairs, tk, dv));
  attention_backward(dout.Data(), q.Data(), k.Data(), v.Data(), p.Data(), dq.Data(), dk.Data(), dvv.Data(), pairs, tq, tk, d, dv,
                     info[13].As<Napi::Number>().FloatValue());
  return info.Env().Undefined();
}

// adamUpdate(value, m, v, g, valueOut, mOut, vOut, lr, beta1, beta2, epsilon, c1, c2)
Napi::Value AdamUpdate(const Napi::CallbackInfo& info) {
  const char* fn = "adamUpdate";
  if (!info[0].IsTypedArray()) throw Napi::TypeError::New(info.Env(), "adamUpdate: value must be a Float32Array");
  const int64_t n = static_cast<int64_t>(info[0].As<Napi::TypedArray>().ElementLength());
  auto value = f32(info, 0, fn, "value", n), m = f32(info, 1, fn, "m", n), v = f32(info, 2, fn, "v", n), g = f32(info, 3, fn, "gradient", n);
  auto vo = f32(info, 4, fn, "valueOut", n), mo = f32(info, 5, fn, "mOut", n), wo = f32(info, 6, fn, "vOut", n);
  float h[6];
  for (int i = 0; i < 6; i++) {
    if (!info[7 + i].IsNumber()) throw Napi::TypeError::New(info.Env(), "adamUpdate: hyper-parameters must be numbers");
    h[i] = info[7 + i].As<Napi::Number>().FloatValue();
  }
  adam_update(value.Data(), m.Data(), v.Data(), g.Data(), vo.Data(), mo.Data(), wo.Data(), n, h[0], h[1], h[2], h[3], h[4], h[5]);
  return info.Env().Undefined();
}

// An optional Float32Array of a given length: null or undefined gives nullptr.
float* optional_f32(const Napi::CallbackInfo& info, size_t i, const char* fn, const char* name, int64_t length) {
  if (info[i].IsNull() || info[i].IsUndefined()) return nullptr;
  return f32(info, i, fn, name, length).Data();
}

int activation(const Napi::CallbackInfo& info, size_t i, const char* fn) {
  if (!info[i].IsNumber()) throw Napi::TypeError::New(info.Env(), std::string(fn) + ": activation must be a number");
  const int a = info[i].As<Napi::Number>().Int32Value();
  if (a != -1 && a != kGeluErf && a != kGeluQuick) throw Napi::RangeError::New(info.Env(), std::string(fn) + ": activation must be -1 (none), 0 (gelu) or 1 (quick gelu)");
  return a;
}

// linear(x, w, b|null, y, z|null, rows, in, out, activation)
Napi::Value Linear(const Napi::CallbackInfo& info) {
  const char* fn = "linear";
  const int64_t rows = count(info, 5, fn, "rows"), in = count(info, 6, fn, "in"), out = count(info, 7, fn, "out");
  const int act = activation(info, 8, fn);
  auto x = f32(info, 0, fn, "x", product_of(info, fn, rows, in, 1)), w = f32(info, 1, fn, "w", product_of(info, fn, in, out, 1));
  const float* b = optional_f32(info, 2, fn, "b", out);
  auto y = f32(info, 3, fn, "y", product_of(info, fn, rows, out, 1));
  float* z = optional_f32(info, 4, fn, "z", rows * out);
  if (act >= 0 && z == nullptr) throw Napi::TypeError::New(info.Env(), "linear: an activation needs z (the pre-activation output)");
  linear_forward(x.Data(), w.Data(), b, y.Data(), z, rows, in, out, act);
  return info.Env().Undefined();
}

// linearGrad(dy, x, w, z|null, dx, dw, db|null, rows, in, out, activation)
Napi::Value LinearGrad(const Napi::CallbackInfo& info) {
  const char* fn = "linearGrad";
  const int64_t rows = count(info, 7, fn, "rows"), in = count(info, 8, fn, "in"), out = count(info, 9, fn, "out");
  const int act = activation(info, 10, fn);
  auto dy = f32(info, 0, fn, "dy", product_of(info, fn, rows, out, 1)), x = f32(info, 1, fn, "x", product_of(info, fn, rows, in, 1));
  auto w = f32(info, 2, fn, "w", product_of(info, fn, in, out, 1));
  const float* z = optional_f32(info, 3, fn, "z", rows * out);
  if (act >= 0 && z == nullptr) throw Napi::TypeError::New(info.Env(), "linearGrad: an activation needs z (the pre-activation output)");
  auto dx = f32(info, 4, fn, "dx", rows * in), dw = f32(info, 5, fn, "dw", in * out);
  float* db = optional_f32(info, 6, fn, "db", out);
  linear_backward(dy.Data(), x.Data(), w.Data(), z, dx.Data(), dw.Data(), db, rows, in, out, act);
  return info.Env().Undefined();
}

// softmaxCrossEntropy(z, y, logp, rows, classes) -> loss
Napi::Value SoftmaxXent(const Napi::CallbackInfo& info) {
  const char* fn = "softmaxCrossEntropy";
  const int64_t rows = count(info, 3, fn, "rows"), classes = count(info, 4, fn, "classes");
  if (rows == 0 || classes == 0) throw Napi::RangeError::New(info.Env(), "softmaxCrossEntropy: needs at least one row and one class");
  const int64_t n = product_of(info, fn, rows, classes, 1);
  auto z = f32(info, 0, fn, "logits", n), y = f32(info, 1, fn, "labels", n), logp = f32(info, 2, fn, "logProbs", n);
  return Napi::Number::New(info.Env(), softmax_xent_forward(z.Data(), y.Data(), logp.Data(), rows, classes));
}

// softmaxCrossEntropyGrad(dy, logp, y, dz, dtable, rows, classes)
Napi::Value SoftmaxXentGrad(const Napi::CallbackInfo& info) {
  const char* fn = "softmaxCrossEntropyGrad";
  const int64_t rows = count(info, 5, fn, "rows"), classes = count(info, 6, fn, "classes");
  if (rows == 0 || classes == 0) throw Napi::RangeError::New(info.Env(), "softmaxCrossEntropyGrad: needs at least one row and one class");
  if (!info[0].IsNumber()) throw Napi::TypeError::New(info.Env(), "softmaxCrossEntropyGrad: dy must be a number");
  const int64_t n = product_of(info, fn, rows, classes, 1);
  auto logp = f32(info, 1, fn, "logProbs", n), y = f32(info, 2, fn, "labels", n), dz = f32(info, 3, fn, "dLogits", n), dt = f32(info, 4, fn, "dLabels", n);
  softmax_xent_backward(info[0].As<Napi::Number>().FloatValue(), logp.Data(), y.Data(), dz.Data(), dt.Data(), rows, classes);
  return info.Env().Undefined();
}

}  // namespace

void register_fused_api(Napi::Env env, Napi::Object exports) {
  exports.Set("layerNorm", Napi::Function::New(env, LayerNorm));
  exports.Set("layerNormGrad", Napi::Function::New(env, LayerNormGrad));
  exports.Set("gelu", Napi::Function::New(env, Gelu));
  exports.Set("geluGrad", Napi::Function::New(env, GeluGrad));
  exports.Set("attention", Napi::Function::New(env, Attention));
  exports.Set("adamUpdate", Napi::Function::New(env, AdamUpdate));
  exports.Set("linear", Napi::Function::New(env, Linear));
  exports.Set("softmaxCrossEntropy", Napi::Function::New(env, SoftmaxXent));
  exports.Set("softmaxCrossEntropyGrad", Napi::Function::New(env, SoftmaxXentGrad));
  exports.Set("linearGrad", Napi::Function::New(env, LinearGrad));
  exports.Set("attentionGrad", Napi::Function::New(env, AttentionGrad));
}

}  // namespace hotplug
