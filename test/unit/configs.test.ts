// Defaults are written once, in src/shared/configs; package.json's settings must say the same.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { DEFAULT_SETTINGS } from '../../src/shared/configs';

interface SettingSchema {
  default?: unknown;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
}

const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as {
  contributes: { configuration: { properties: Record<string, SettingSchema> } };
};
const declared = pkg.contributes.configuration.properties;

describe('settings defaults', () => {
  test("package.json's contributes.configuration defaults equal the shared defaults, setting by setting", () => {
    const fromPackage = Object.fromEntries(
      Object.entries(declared).map(([k, s]) => [k.replace(/^pretrainLab\./, ''), s.default]),
    );
    assert.deepEqual(fromPackage, { ...DEFAULT_SETTINGS });
  });

  test('each default is allowed by its own setting (enum, minimum, maximum)', () => {
    for (const [k, s] of Object.entries(declared)) {
      const d = s.default;
      if (s.enum) assert.ok(s.enum.includes(d), `${k}: ${String(d)} is not in its enum`);
      if (s.minimum !== undefined) assert.ok((d as number) >= s.minimum, `${k}: ${String(d)} < minimum`);
      if (s.maximum !== undefined) assert.ok((d as number) <= s.maximum, `${k}: ${String(d)} > maximum`);
    }
  });
});
