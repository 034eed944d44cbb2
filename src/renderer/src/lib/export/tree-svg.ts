export interface SvgScene {
  nodes: { x: number; y: number; color: string; label: string; classes: string[] }[];
  edges: { x1: number; y1: number; x2: number; y2: number; classes: string[] }[];
}

const escape = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const PAD = 40;
const LABEL_ROOM = 110;

/**
 * A standalone SVG of a tree view, styled like the canvas (colour by probability, pruned faded, chosen
 * path bold, lattice edges dashed), with every label drawn: a picture for papers, at any zoom.
 */
export function sceneToSvg(scene: SvgScene, title: string): string {
  const xs = scene.nodes.map((n) => n.x);
  const ys = scene.nodes.map((n) => n.y);
  const minX = Math.min(0, ...xs) - PAD;
  const minY = Math.min(0, ...ys) - PAD;
  const width = Math.max(0, ...xs) - minX + PAD + LABEL_ROOM;
  const height = Math.max(0, ...ys) - minY + PAD;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="${minX} ${minY} ${width} ${height}" width="${width}" height="${height}" font-family="sans-serif" font-size="10">`,
    `<title>${escape(title)}</title>`,
    `<rect x="${minX}" y="${minY}" width="${width}" height="${height}" fill="#ffffff"/>`,
  ];
  for (const e of scene.edges) {
    const chosen = e.classes.includes('chosen');
    const lattice = e.classes.includes('lattice');
    const stroke = chosen ? '#1f2430' : lattice ? '#7048e8' : '#adb5bd';
    const extra = lattice ? ' stroke-dasharray="4 3"' : e.classes.includes('stub') ? ' stroke-dasharray="1 2"' : '';
    const opacity = e.classes.includes('pruned') && !chosen ? ' stroke-opacity="0.35"' : '';
    out.push(
      `<line x1="${e.x1}" y1="${e.y1}" x2="${e.x2}" y2="${e.y2}" stroke="${stroke}" stroke-width="${chosen ? 4 : 1}"${extra}${opacity}/>`,
    );
  }
  for (const n of scene.nodes) {
    const chosen = n.classes.includes('chosen');
    const faded = (n.classes.includes('pruned') || n.classes.includes('merged')) && !chosen;
    const r = chosen ? 8 : 6;
    const ring = chosen
      ? ' stroke="#111" stroke-width="3"'
      : n.classes.includes('frontier')
        ? ' stroke="#f76707" stroke-width="2"'
        : '';
    const opacity = faded ? ' opacity="0.3"' : '';
    out.push(`<g${opacity}><circle cx="${n.x}" cy="${n.y}" r="${r}" fill="${escape(n.color)}"${ring}/>`);
    out.push(
      `<text x="${n.x + r + 3}" y="${n.y + 3.5}"${chosen ? ' font-weight="bold"' : ''}>${escape(n.label)}</text></g>`,
    );
  }
  out.push('</svg>');
  return out.join('\n');
}
