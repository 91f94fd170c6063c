import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkIdentity, parseJson, type ModelIdentity } from '@hotplug/runtime';
import { DenseHead, type DenseHeadOptions } from './dense';
import type { ClassifierHead } from './head';
import { KnnHead, type KnnHeadOptions } from './knn';
import { CONFIG_FILE, HeadStoreError } from './store';

/** Options of each built-in head family, by name. */
export interface HeadOptionsByKind {
  linear: Omit<DenseHeadOptions, 'hidden'>;
  mlp: DenseHeadOptions;
  knn: KnnHeadOptions;
}

/** How a head family is made fresh and restored from disk. */
export interface HeadFactory<O = Record<string, unknown>> {
  create(options: O): ClassifierHead;
  load(dir: string): ClassifierHead;
}

const factories = new Map<string, HeadFactory<never>>();

/** Registers a head family under a name (an application may add its own). */
export function registerHead<O>(kind: string, factory: HeadFactory<O>): void {
  if (factories.has(kind)) throw new Error(`a head family named "${kind}" is already registered`);
  factories.set(kind, factory as HeadFactory<never>);
}

/** Names of the registered head families. */
export function headKinds(): string[] {
  return [...factories.keys()];
}

function factoryFor(kind: string): HeadFactory<never> {
  const f = factories.get(kind);
  if (!f) throw new Error(`unknown head kind "${kind}": registered kinds are ${headKinds().join(', ')}`);
  return f;
}

/** Makes an unfitted head of a registered family. */
export function createHead<K extends keyof HeadOptionsByKind>(kind: K, options?: HeadOptionsByKind[K]): ClassifierHead;
export function createHead(kind: string, options?: Record<string, unknown>): ClassifierHead;
export function createHead(kind: string, options: Record<string, unknown> = {}): ClassifierHead {
  return (factoryFor(kind) as HeadFactory<Record<string, unknown>>).create(options);
}

export interface LoadHeadOptions {
  /** The encoder whose features the head will score; refused (IdentityMismatchError) if the head was trained on another. */
  space?: ModelIdentity;
  /** Use it anyway, with a warning. */
  force?: boolean;
  warn?: (message: string) => void;
}

/**
 * Loads a saved head of any registered family (the kind is read from head.json). With
 * `space`, checks the head was trained on features of that encoder (a head saved without a
 * fingerprint loads with a warning).
 */
export function loadHead(dir: string, options: LoadHeadOptions = {}): ClassifierHead {
  const path = join(dir, CONFIG_FILE);
  if (!existsSync(path)) throw new HeadStoreError(`no saved head at ${dir}: ${CONFIG_FILE} is missing (save one with head.save(dir))`, path);
  const raw = parseJson(readFileSync(path, 'utf8'), path, 'the file is corrupt, save the head again', HeadStoreError);
  const kind = raw && typeof raw === 'object' ? (raw as { kind?: unknown }).kind : undefined;
  if (typeof kind !== 'string') throw new HeadStoreError(`${path} names no head kind`, path, 'kind');
  if (!factories.has(kind)) throw new HeadStoreError(`${path}: unknown head kind "${kind}": registered kinds are ${headKinds().join(', ')}`, path, 'kind');
  const head = factoryFor(kind).load(dir);
  checkIdentity(`the ${kind} head`, path, head.info?.space, options.space, { role: 'embedding space', force: options.force, warn: options.warn });
  return head;
}

registerHead<HeadOptionsByKind['linear']>('linear', { create: (o) => new DenseHead('linear', o), load: (d) => DenseHead.load(d) });
registerHead<DenseHeadOptions>('mlp', { create: (o) => new DenseHead('mlp', o), load: (d) => DenseHead.load(d) });
registerHead<KnnHeadOptions>('knn', { create: (o) => new KnnHead(o), load: (d) => KnnHead.load(d) });
