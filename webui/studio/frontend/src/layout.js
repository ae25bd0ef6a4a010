// Our models have no BPMN DI (no bpmndi:*), and bpmn-js shows nothing without it, so the studio generates a
// layout once; the saved file then carries it. bpmn-auto-layout walks flowNode.incoming/outgoing, which our
// files do not list (<bpmn:incoming>/<bpmn:outgoing> are optional): fill them from the sequence flows first.
// bpmn-auto-layout 1.3.0 lays out the first process only, draws no pool/lanes, and throws on some graphs
// (bewohnerparken/ausweis.bpmn: event-based gateway joining a loop); then fall back to a simple layered layout.
import { BpmnModdle } from 'bpmn-moddle';
import { layoutProcess } from 'bpmn-auto-layout';

function linkFlows(container) {
  for (const el of container.flowElements || []) {
    if (el.$type === 'bpmn:SequenceFlow' && el.sourceRef && el.targetRef) {
      const out = el.sourceRef.get('outgoing'), inc = el.targetRef.get('incoming');
      if (!out.includes(el)) out.push(el);
      if (!inc.includes(el)) inc.push(el);
    }
    if (el.flowElements) linkFlows(el);
  }
}

const SIZE = { event: [ 36, 36 ], gateway: [ 50, 50 ], task: [ 100, 80 ] };
function sizeOf(el) {
  if (/Event$/.test(el.$type)) return SIZE.event;
  if (/Gateway$/.test(el.$type)) return SIZE.gateway;
  return SIZE.task;
}

/** Layered layout: column = longest path from a start (back edges ignored), row = order within the column. */
function simpleLayout(moddle, definitions, process) {
  const nodes = process.flowElements.filter(e => e.$type !== 'bpmn:SequenceFlow' && !e.attachedToRef);
  const flows = process.flowElements.filter(e => e.$type === 'bpmn:SequenceFlow');
  const back = new Set(), state = new Map();
  const dfs = (n) => {
    state.set(n, 1);
    for (const f of n.get('outgoing')) {
      const t = f.targetRef.attachedToRef || f.targetRef;
      if (state.get(t) === 1) back.add(f); else if (!state.has(t)) dfs(t);
    }
    state.set(n, 2);
  };
  nodes.filter(n => !n.get('incoming').length).forEach(dfs);
  nodes.forEach(n => state.has(n) || dfs(n));
  const rank = new Map(nodes.map(n => [ n, 0 ]));
  for (let changed = true, i = 0; changed && i < nodes.length; i++) {
    changed = false;
    for (const f of flows) {
      if (back.has(f)) continue;
      const s = f.sourceRef.attachedToRef || f.sourceRef;
      if (rank.get(f.targetRef) <= rank.get(s)) { rank.set(f.targetRef, rank.get(s) + 1); changed = true; }
    }
  }
  const rows = new Map(), bounds = new Map();
  for (const n of nodes) {
    const r = rank.get(n), row = rows.get(r) || 0;
    rows.set(r, row + 1);
    const [ w, h ] = sizeOf(n);
    bounds.set(n, { x: 80 + r * 160 + (100 - w) / 2, y: 80 + row * 130 + (80 - h) / 2, width: w, height: h });
  }
  for (const b of process.flowElements.filter(e => e.attachedToRef)) {
    const host = bounds.get(b.attachedToRef);
    bounds.set(b, { x: host.x + host.width - 30, y: host.y + host.height - 18, width: 36, height: 36 });
  }
  const bottom = Math.max(...[ ...bounds.values() ].map(b => b.y + b.height)) + 40;
  const point = (x, y) => moddle.create('dc:Point', { x: Math.round(x), y: Math.round(y) });
  const plane = moddle.create('bpmndi:BPMNPlane', { id: 'BPMNPlane_' + process.id, bpmnElement: process, planeElement: [] });
  for (const [ el, b ] of bounds) {
    plane.planeElement.push(moddle.create('bpmndi:BPMNShape', {
      id: el.id + '_di', bpmnElement: el, bounds: moddle.create('dc:Bounds', b),
      ...(el.$type === 'bpmn:ExclusiveGateway' ? { isMarkerVisible: true } : {})
    }));
  }
  for (const f of flows) {
    const s = bounds.get(f.sourceRef), t = bounds.get(f.targetRef);
    const sy = s.y + s.height / 2, ty = t.y + t.height / 2;
    let waypoint;
    if (back.has(f) || t.x <= s.x) {
      waypoint = [ point(s.x + s.width / 2, s.y + s.height), point(s.x + s.width / 2, bottom),
        point(t.x + t.width / 2, bottom), point(t.x + t.width / 2, t.y + t.height) ];
    } else if (Math.abs(sy - ty) < 1) {
      waypoint = [ point(s.x + s.width, sy), point(t.x, ty) ];
    } else {
      const mx = t.x - 30;
      waypoint = [ point(s.x + s.width, sy), point(mx, sy), point(mx, ty), point(t.x, ty) ];
    }
    plane.planeElement.push(moddle.create('bpmndi:BPMNEdge', { id: f.id + '_di', bpmnElement: f, waypoint }));
  }
  definitions.get('diagrams').push(moddle.create('bpmndi:BPMNDiagram', { id: 'BPMNDiagram_' + process.id, plane }));
}

export async function layoutWithoutDi(xml) {
  const moddle = new BpmnModdle();
  const { rootElement } = await moddle.fromXML(xml);
  const processes = rootElement.rootElements.filter(e => e.$type === 'bpmn:Process');
  processes.forEach(linkFlows);
  const { xml: linked } = await moddle.toXML(rootElement);
  try {
    return await layoutProcess(linked);
  } catch (err) {
    console.warn('bpmn-auto-layout failed, using the simple layout:', err.message);
    simpleLayout(moddle, rootElement, processes[0]);
    return (await moddle.toXML(rootElement)).xml;
  }
}
