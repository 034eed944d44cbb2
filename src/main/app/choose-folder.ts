import { dialog, type BrowserWindow } from 'electron';

/** The native folder chooser for a model folder; null when the researcher cancels. */
export async function chooseModelFolder(window: BrowserWindow): Promise<string | null> {
  const picked = await dialog.showOpenDialog(window, {
    title: 'Choose a model folder',
    properties: ['openDirectory'],
    message: 'A folder with config.json, tokenizer.json and an ONNX decoder',
  });
  return picked.canceled ? null : (picked.filePaths[0] ?? null);
}
