/**
 * Tidy tree layout (Reingold–Tilford in linear time, Buchheim, Jünger & Leipert 2002), adapted from
 * d3-hierarchy's `tree()` (ISC licence, Mike Bostock) with one change: a parent sits in line with its
 * first child instead of midway between its outermost children. Put the child that carries on a chain
 * first and a chain draws as a straight line with its runner-ups beside it, where d3's midpoint turns a
 * greedy run into a staircase. Everything else (contours, threads, shifts) is d3's algorithm; loops are
 * iterative so a chain 100,000 deep does not overflow the stack.
 */

export interface TidyInput {
  children: TidyInput[];
}

class Walker {
  parent: Walker | null = null;
  children: Walker[] | null = null;
  /** default ancestor */
  A: Walker | null = null;
  /** ancestor */
  a: Walker = this;
  /** preliminary position */
  z = 0;
  /** modifier */
  m = 0;
  /** change */
  c = 0;
  /** shift */
  s = 0;
  /** thread */
  t: Walker | null = null;
  constructor(
    readonly input: TidyInput | null,
    /** index among its siblings */
    readonly i: number,
  ) {}
}

const nextLeft = (v: Walker) => (v.children ? v.children[0]! : v.t);
const nextRight = (v: Walker) => (v.children ? v.children[v.children.length - 1]! : v.t);

function moveSubtree(wm: Walker, wp: Walker, shift: number): void {
  const change = shift / (wp.i - wm.i);
  wp.c -= change;
  wp.s += shift;
  wm.c += change;
  wp.z += shift;
  wp.m += shift;
}

function executeShifts(v: Walker): void {
  let shift = 0;
  let change = 0;
  const children = v.children!;
  for (let i = children.length - 1; i >= 0; i--) {
    const w = children[i]!;
    w.z += shift;
    w.m += shift;
    shift += w.s + (change += w.c);
  }
}

const nextAncestor = (vim: Walker, v: Walker, ancestor: Walker) => (vim.a.parent === v.parent ? vim.a : ancestor);

/**
 * Positions across the tree (in units of one sibling gap) for every node, in pre-order, depth-first:
 * `separation(a, b)` is the gap between neighbours a and b (1 for siblings is the usual choice).
 */
export function tidyLayout<T extends TidyInput>(root: T, separation: (a: T, b: T) => number): Map<T, number> {
  const sep = (a: Walker, b: Walker) => separation(a.input as T, b.input as T);
  // Wrap the input (iteratively, pre-order).
  const top = new Walker(root, 0);
  const preorder: Walker[] = [];
  const stack = [top];
  while (stack.length > 0) {
    const node = stack.pop()!;
    preorder.push(node);
    const kids = node.input!.children;
    if (kids.length === 0) continue;
    node.children = new Array(kids.length);
    for (let i = kids.length - 1; i >= 0; i--) {
      const child = new Walker(kids[i]!, i);
      child.parent = node;
      node.children[i] = child;
      stack.push(child);
    }
  }
  const sentinel = new Walker(null, 0);
  sentinel.children = [top];
  top.parent = sentinel;

  const apportion = (v: Walker, w: Walker | null, ancestor: Walker): Walker => {
    if (!w) return ancestor;
    let vop: Walker = v;
    let vom: Walker = v.parent!.children![0]!;
    let sip = v.m;
    let sop = vop.m;
    let sim = w.m;
    let som = vom.m;
    // the inside contours of the left forest (vim) and the new subtree (vip), level by level
    let vim: Walker | null = nextRight(w);
    let vip: Walker | null = nextLeft(v);
    while (vim && vip) {
      vom = nextLeft(vom)!;
      vop = nextRight(vop)!;
      vop.a = v;
      const shift = vim.z + sim - vip.z - sip + sep(vim, vip);
      if (shift > 0) {
        moveSubtree(nextAncestor(vim, v, ancestor), v, shift);
        sip += shift;
        sop += shift;
      }
      sim += vim.m;
      sip += vip.m;
      som += vom.m;
      sop += vop.m;
      vim = nextRight(vim);
      vip = nextLeft(vip);
    }
    if (vim && !nextRight(vop)) {
      vop.t = vim;
      vop.m += sim - sop;
    }
    if (vip && !nextLeft(vom)) {
      vom.t = vip;
      vom.m += sip - som;
      ancestor = v;
    }
    return ancestor;
  };

  // First walk, post-order: children before their parent, siblings in order.
  for (let k = preorder.length - 1; k >= 0; k--) {
    // reversed pre-order visits every child before its parent, but later siblings first: walk a
    // parent's children in sibling order when reaching the parent instead
    const v = preorder[k]!;
    if (!v.children) continue;
    for (const child of v.children) firstWalk(child);
  }
  firstWalk(top);
  sentinel.m = -top.z;

  function firstWalk(v: Walker): void {
    const siblings = v.parent!.children!;
    const w = v.i ? siblings[v.i - 1]! : null;
    if (v.children) {
      executeShifts(v);
      // the one change from d3: in line with the first child, not the midpoint of the outermost ones
      const anchor = v.children[0]!.z;
      if (w) {
        v.z = w.z + sep(v, w);
        v.m = v.z - anchor;
      } else v.z = anchor;
    } else if (w) v.z = w.z + sep(v, w);
    v.parent!.A = apportion(v, w, v.parent!.A ?? siblings[0]!);
  }

  // Second walk, pre-order: sum the modifiers down the tree.
  const positions = new Map<T, number>();
  for (const v of preorder) {
    const x = v.z + v.parent!.m;
    v.m += v.parent!.m;
    positions.set(v.input as T, x);
  }
  return positions;
}
