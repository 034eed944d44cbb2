import { describe, expect, it, vi } from 'vitest';

// menu.ts imports electron, which is not installed as a binary here; only its Menu/app names are needed
vi.mock('electron', () => ({ app: { isPackaged: false }, Menu: {} }));
const { viewMenu } = await import('../../../src/main/app/menu');

describe('application menu', () => {
  it('offers the developer tools only in a development build', () => {
    const roles = (packaged: boolean) => viewMenu(packaged).map((item) => item.role ?? item.type);
    expect(roles(false)).toContain('toggleDevTools');
    expect(roles(true)).not.toContain('toggleDevTools');
    expect(roles(true)).not.toContain('reload');
    expect(roles(true)).toEqual(['resetZoom', 'zoomIn', 'zoomOut', 'separator', 'togglefullscreen']);
  });
});
