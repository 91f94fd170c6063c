// The built-in map variants, one registerMap line each (the Drift-Adapter family plus the identity).
import { registerMap } from '../registry';
import { identityMap, identitySpec } from './identity';
import { lowRankMap, lowRankSpec } from './low-rank';
import { procrustesMap, procrustesSpec } from './procrustes';
import { residualMlpMap, residualMlpSpec } from './residual-mlp';

registerMap('identity', identityMap, identitySpec);
registerMap('procrustes', procrustesMap, procrustesSpec);
registerMap('low-rank', lowRankMap, lowRankSpec);
registerMap('residual-mlp', residualMlpMap, residualMlpSpec);
