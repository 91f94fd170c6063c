// Types of readme-examples.mjs (tools/ type-checks TypeScript only).
export declare const root: string;
export declare const MARKER: string;
export declare function packageDirs(): string[];
export declare function toCommonJs(esm: string): string;
export declare function withExample(readme: string, esm: string): string;
export declare function sync(options?: { write?: boolean }): string[];
