import { createRequire } from 'node:module';
import type * as Arrow from 'apache-arrow';

// @lancedb/lancedb is CommonJS and checks `instanceof` against its own apache-arrow classes; an ESM
// import of apache-arrow would load the package's second (ESM) build, whose classes fail those checks.
// So the arrow used with LanceDB is the CommonJS instance, resolved from LanceDB's own location.
// (__filename exists in the CommonJS build, import.meta.url in the ESM one.)
const here = typeof __filename === 'string' ? __filename : import.meta.url;
const lanceRequire = createRequire(createRequire(here).resolve('@lancedb/lancedb'));

export const arrow = lanceRequire('apache-arrow') as typeof Arrow;
export type { Arrow };
