import { createRequire } from 'node:module';
import type * as Arrow from 'apache-arrow';

// @lancedb/lancedb is CommonJS and checks `instanceof` against its own apache-arrow classes; an ESM
// import of apache-arrow would load the package's second (ESM) build, whose classes fail those checks.
// So the arrow used with LanceDB is the CommonJS instance, resolved from LanceDB's own location.
const localRequire: NodeRequire = typeof require === 'function' ? require : createRequire(import.meta.url);
const lanceRequire = createRequire(localRequire.resolve('@lancedb/lancedb'));

export const arrow = lanceRequire('apache-arrow') as typeof Arrow;
export type { Arrow };
