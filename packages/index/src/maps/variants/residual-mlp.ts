import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '@hotplug/runtime';
import { ensureBackend } from '@hotplug/kernels';
import type { MapFactory, MapModel, MapVariantSpec } from '../types';
import { affine, param, setParam, traceAffine } from '../dense';
import { fitProcrustes } from './procrustes';

export interface ResidualMlpOptions {
  /** Hidden width of the two-layer MLP. */
  hidden: number;
  activation: 'relu' | 'tanh';
  /** What the MLP's output is added to: the Procrustes rotation (default) or nothing. */
  base: 'procrustes' | 'zero';
  epochs: number;
  batchSize: number;
  learningRate: number;
  /** L2 penalty on the MLP weights. */
  weightDecay: number;
  /** 'mse' (sum over components, mean over pairs) or 'cosine' (1 - cosine similarity). */
  loss: 'mse' | 'cosine';
}

export const residualMlpSpec: MapVariantSpec<ResidualMlpOptions> = {
  defaults: { hidden: 256, activation: 'relu', base: 'procrustes', epochs: 60, batchSize: 256, learningRate: 2e-3, weightDecay: 1e-5, loss: 'mse' },
  validate: (o) => {
    const p: string[] = [];
    for (const k of ['hidden', 'epochs', 'batchSize'] as const) if (!Number.isInteger(o[k]) || o[k] < 1) p.push(`${k} must be a positive integer, got ${o[k]}`);
    if (!(o.learningRate > 0) || !Number.isFinite(o.learningRate)) p.push(`learningRate must be a positive number, got ${o.learningRate}`);
    if (!(o.weightDecay >= 0) || !Number.isFinite(o.weightDecay)) p.push(`weightDecay must be a finite number >= 0, got ${o.weightDecay}`);
    if (o.activation !== 'relu' && o.activation !== 'tanh') p.push(`activation must be "relu" or "tanh", got ${JSON.stringify(o.activation)}`);
    if (o.base !== 'procrustes' && o.base !== 'zero') p.push(`base must be "procrustes" or "zero", got ${JSON.stringify(o.base)}`);
    if (o.loss !== 'mse' && o.loss !== 'cosine') p.push(`loss must be "mse" or "cosine", got ${JSON.stringify(o.loss)}`);
    return p;
  },
  describe:
    'Residual MLP: y = x P + act(x W1 + b1) W2 + b2, P the Procrustes rotation (fixed), the MLP trained with Adam; W2 starts at zero so training starts from Procrustes.',
};

export const residualMlpMap: MapFactory<ResidualMlpOptions> = (options, shape): MapModel => {
  const din = shape.inputDim;
  const dout = shape.outputDim;
  const h = options.hidden;
  const base = param([din, dout]);
  const w1 = param([din, h]);
  const b1 = param([h]);
  const w2 = param([h, dout]);
  const b2 = param([dout]);
  const act = (v: number) => (options.activation === 'relu' ? Math.max(v, 0) : Math.tanh(v));
  return {
    params: new Map([
      ['base', base],
      ['w1', w1],
      ['b1', b1],
      ['w2', w2],
      ['b2', b2],
    ]),
    async fit(pairs, context) {
      await ensureBackend();
      const { source: x, target: y } = pairs;
      if (options.base === 'procrustes') setParam(base, fitProcrustes(pairs, shape, { center: false, scale: false }).weight);
      const rng = new Rng(context.seed);
      const std = Math.sqrt(2 / din);
      for (let i = 0; i < w1.data.length; i++) w1.data[i] = rng.normal() * std;
      const vars = {
        w1: tf.variable(tf.tensor2d(w1.data, [din, h])),
        b1: tf.variable(tf.zeros([h])),
        w2: tf.variable(tf.zeros([h, dout])),
        b2: tf.variable(tf.zeros([dout])),
      };
      const baseT = tf.tensor2d(base.data, [din, dout]);
      const optimizer = tf.train.adam(options.learningRate);
      const losses: number[] = [];
      const order = Array.from({ length: x.rows }, (_, i) => i);
      try {
        for (let epoch = 0; epoch < options.epochs; epoch++) {
          for (let i = order.length - 1; i > 0; i--) {
            const j = rng.int(i + 1);
            [order[i], order[j]] = [order[j]!, order[i]!];
          }
          let total = 0;
          for (let start = 0; start < order.length; start += options.batchSize) {
            const rows = order.slice(start, start + options.batchSize);
            const xb = new Float32Array(rows.length * din);
            const yb = new Float32Array(rows.length * dout);
            rows.forEach((r, i) => {
              xb.set(x.data.subarray(r * din, (r + 1) * din), i * din);
              yb.set(y.data.subarray(r * dout, (r + 1) * dout), i * dout);
            });
            const loss = tf.tidy(() => {
              const xt = tf.tensor2d(xb, [rows.length, din]);
              const yt = tf.tensor2d(yb, [rows.length, dout]);
              return optimizer.minimize(() => {
                const hid = tf.add(tf.matMul(xt, vars.w1), vars.b1);
                const a = options.activation === 'relu' ? tf.relu(hid) : tf.tanh(hid);
                const pred = tf.add(tf.add(tf.matMul(xt, baseT), tf.matMul(a, vars.w2)), vars.b2);
                const fitLoss =
                  options.loss === 'mse'
                    ? tf.mean(tf.sum(tf.square(tf.sub(pred, yt)), 1))
                    : tf.sub(
                        1,
                        tf.mean(tf.div(tf.sum(tf.mul(pred, yt), 1), tf.add(tf.mul(tf.norm(pred, 'euclidean', 1), tf.norm(yt, 'euclidean', 1)), 1e-12))),
                      );
                const reg = tf.mul(options.weightDecay / 2, tf.add(tf.sum(tf.square(vars.w1)), tf.sum(tf.square(vars.w2))));
                return tf.add(fitLoss, reg) as tf.Scalar;
              }, true)!;
            });
            total += (await loss.data())[0]! * rows.length;
            loss.dispose();
          }
          losses.push(total / order.length);
          context.onProgress?.(epoch + 1, options.epochs);
        }
        setParam(w1, await vars.w1.data());
        setParam(b1, await vars.b1.data());
        setParam(w2, await vars.w2.data());
        setParam(b2, await vars.b2.data());
      } finally {
        Object.values(vars).forEach((v) => {
          v.dispose();
        });
        baseT.dispose();
        optimizer.dispose();
      }
      return { losses };
    },
    forward(x) {
      const out = affine(x, base, b2);
      const hid = affine(x, w1, b1);
      for (let i = 0; i < hid.length; i++) hid[i] = act(hid[i]!);
      affine({ data: hid, rows: x.rows, dim: h }, w2, undefined, out);
      return { data: out, rows: x.rows, dim: dout };
    },
    trace(rec, x) {
      const hid = traceAffine(rec, x, w1, b1);
      const a = options.activation === 'relu' ? rec.relu(hid) : rec.tanh(hid);
      return rec.add(traceAffine(rec, x, base, b2), traceAffine(rec, a, w2));
    },
  };
};
