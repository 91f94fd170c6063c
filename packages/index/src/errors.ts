import { InputError } from '@hotplug/runtime';
import type { EmbeddingSpace } from './space';
import { describeSpace } from './space';

/**
 * A vector from one embedding space was about to be compared with (or stored beside) vectors of
 * another. Names both spaces and the fix: encode with the table's model, or pass a map fitted from
 * the query's space into the table's (`{ via: map }`).
 */
export class SpaceMismatchError extends InputError {
  constructor(
    readonly expected: EmbeddingSpace,
    readonly actual: EmbeddingSpace,
    readonly where: string,
    detail?: string,
  ) {
    super(
      `${where} holds vectors of ${describeSpace(expected)} but was given vectors of ${describeSpace(actual)}` +
        (detail ? ` (${detail})` : '') +
        `. Vectors of different spaces cannot be compared. Encode with the table's model, or pass a map fitted from the ` +
        `given space into the table's: search(q, k, { space, via: map }) with map.from = the given space and map.to = the table's ` +
        `(fitMap('procrustes', { source, target, from, to }) fits one; identityMap(from, to) declares an adapter trained into it).`,
    );
    this.name = 'SpaceMismatchError';
  }
}

/** Input that cannot be used as given (wrong sizes, ids, options); the message says how to fix it. */
export class IndexInputError extends InputError {
  constructor(message: string) {
    super(message);
    this.name = 'IndexInputError';
  }
}

/** A stored table or saved map is missing its stamp/manifest or holds something else. */
export class StampError extends InputError {
  constructor(message: string) {
    super(message);
    this.name = 'StampError';
  }
}
