/** Thrown when features do not have the dimension a head or index was built for. */
export class DimensionMismatchError extends Error {
  constructor(
    readonly what: string,
    readonly expectedDim: number,
    readonly actualDim: number,
    readonly trainedOn?: string,
    readonly given?: string,
  ) {
    const from = trainedOn ? ` (model "${trainedOn}")` : '';
    const got = given ? ` (model "${given}")` : '';
    super(
      `${what} was built on ${expectedDim}-dim features${from} but got ${actualDim}-dim features${got}. ` +
        `It only works in the feature space it was built in: map the new features into the old space first ` +
        `(a TaCA adapter or a learned ${actualDim}→${expectedDim} projection), or retrain it on the new model's features.`,
    );
    this.name = 'DimensionMismatchError';
  }
}
