import { describe, expect, it } from 'vitest';
import { isTrustedSenderUrl } from '../../../src/main/app/trusted-sender';

describe('IPC sender validation', () => {
  const built = 'file:///opt/lattice/out/renderer/index.html';
  const dev = 'http://localhost:5173/';

  it('accepts our own page, built or from the dev server', () => {
    expect(isTrustedSenderUrl('file:///opt/lattice/out/renderer/index.html', built)).toBe(true);
    expect(isTrustedSenderUrl('file:///opt/lattice/out/renderer/index.html#x', built)).toBe(true);
    expect(isTrustedSenderUrl('http://localhost:5173/index.html', dev)).toBe(true);
  });

  it('refuses any other file, origin, scheme, or a missing URL', () => {
    expect(isTrustedSenderUrl('file:///tmp/evil.html', built)).toBe(false);
    expect(isTrustedSenderUrl('https://localhost:5173/', dev)).toBe(false);
    expect(isTrustedSenderUrl('http://localhost:5174/', dev)).toBe(false);
    expect(isTrustedSenderUrl('http://evil.example/', built)).toBe(false);
    expect(isTrustedSenderUrl(undefined, built)).toBe(false);
    expect(isTrustedSenderUrl('not a url', built)).toBe(false);
  });
});
