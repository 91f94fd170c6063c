// Spec systems name their model by a registered name or by a folder path relative to the spec file.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildTokenizer, configForTokenizer, createClip, getConfig, ModelFolderError, saveClip } from '@hotplug/backbones';
import { initBackend } from '@hotplug/kernels';
import { sha256File } from '@hotplug/runtime';
import { EMBEDDED_MODELS, embeddedModelDir } from '@hotplug/models';
import { describe, expect, it } from 'vitest';
import { specModelDirs } from '../src/run';
import { readBenchSpec } from '../src/spec';
import { Workspace } from '../src/systems';

const quick = JSON.parse(readFileSync(fileURLToPath(new URL('../specs/quick.json', import.meta.url)), 'utf8'));

describe('models named by a spec', () => {
  it("resolves registered names to the embedded folders and paths from the spec file's folder", () => {
    const root = mkdtempSync(join(tmpdir(), 'bench-models-'));
    mkdirSync(join(root, 'specs'));
    mkdirSync(join(root, 'my-models', 'hf-clip'), { recursive: true });
    const systems = [...quick.experiment.systems, { id: 'mine', model: '../my-models/hf-clip' }];
    const path = join(root, 'specs', 'mine.json');
    writeFileSync(path, JSON.stringify({ ...quick, experiment: { ...quick.experiment, systems } }));
    const spec = readBenchSpec(path);
    expect(spec.baseDir).toBe(join(root, 'specs'));
    expect(spec.experiment.systems.map((s) => s.model)).toContain('../my-models/hf-clip');
    const dirs = specModelDirs(spec, ['old', 'new', '../my-models/hf-clip', 'old']);
    expect(dirs).toEqual({ old: embeddedModelDir('old'), new: embeddedModelDir('new'), '../my-models/hf-clip': join(root, 'my-models', 'hf-clip') });
    // Every embedded model is a registered name; --old / --new replace those two.
    for (const name of EMBEDDED_MODELS) expect(specModelDirs(spec, [name])[name]).toBe(embeddedModelDir(name));
    expect(specModelDirs(spec, ['old', 'new'], { old: '/elsewhere/old' })).toEqual({ old: '/elsewhere/old', new: embeddedModelDir('new') });
    let err: unknown;
    try {
      specModelDirs(spec, ['newest']);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ModelFolderError);
    expect((err as Error).message).toMatch(
      /mine\.json: model "newest": "newest" is neither a registered model nor a model folder: .*specs\/newest does not exist\. Name one of the registered models: old, new/,
    );
  });

  it('loads a model folder through loadClip (any kind), versioned by the weights file it read', async () => {
    await initBackend(undefined, { log: () => {} });
    const root = mkdtempSync(join(tmpdir(), 'bench-workspace-'));
    const tokenizer = buildTokenizer(['a red shirt', 'a blue shoe', 'two digits'], { contextLength: 8, vocabSize: 600 });
    const clip = createClip(configForTokenizer(getConfig('hotplug-old'), tokenizer), { seed: 1 });
    saveClip(clip, join(root, 'mine'), tokenizer);
    clip.dispose();
    mkdirSync(join(root, 'empty'));
    const ws = new Workspace({ mine: join(root, 'mine'), empty: join(root, 'empty') });
    expect(ws.model('mine').version).toBe(sha256File(join(root, 'mine', 'model.safetensors')).slice(0, 16));
    expect(() => ws.model('empty')).toThrow(ModelFolderError);
    expect(() => ws.model('empty')).toThrow(/^model "empty": .*empty is not a model folder of any kind loadClip reads:[\s\S]*open_clip folder/);
    ws.dispose();
  });
});
