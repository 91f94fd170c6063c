import type { UserConfig } from 'vitest/config';
export function projectConfig(overrides?: UserConfig): UserConfig;
