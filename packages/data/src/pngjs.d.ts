// Minimal types for the part of pngjs 7 this package uses (the package ships no types).
declare module 'pngjs' {
  export interface PNGWithMetadata {
    width: number;
    height: number;
    data: Buffer;
  }
  export const PNG: {
    sync: {
      read(buffer: Buffer, options?: { skipRescale?: boolean }): PNGWithMetadata;
      write(png: { width: number; height: number; data: Buffer }, options?: { colorType?: number; inputColorType?: number; bitDepth?: number }): Buffer;
    };
  };
}
