// Amtsweg studio: Modeler + properties panel + SpiffWorkflow moddle + German labels, check and deploy.
// Configuration comes from data-* attributes of #studio (no inline script: CSP script-src 'self').
import BpmnModeler from 'bpmn-js/lib/Modeler';
import { BpmnPropertiesPanelModule, BpmnPropertiesProviderModule } from 'bpmn-js-properties-panel';
import { layoutWithoutDi } from './layout.js';
import spiffworkflowModdle from '../moddle/spiffworkflow.json';
import translateModule from './translate.js';
import amtswegPropertiesModule from './amtsweg-properties.js';

async function fetchJson(url) {
  const response = await fetch(url, { credentials: 'same-origin' });
  if (!response.ok) throw new Error(`Die Daten des Studios sind nicht abrufbar (HTTP ${response.status}).`);
  return response.json();
}

function status(text, isError) {
  const el = document.getElementById('studio-status');
  el.textContent = text;
  el.classList.toggle('is-error', !!isError);
}

/** Our models carry no BPMN DI (no bpmndi:*); bpmn-js shows nothing without it, so generate a layout. */
async function withDiagram(xml) {
  return /BPMNDiagram/.test(xml) ? { xml, generated: false } : { xml: await layoutWithoutDi(xml), generated: true };
}

async function main() {
  const root = document.getElementById('studio');
  const cfg = root.dataset;
  const [ operations, lists ] = await Promise.all([ fetchJson(cfg.operationsUrl), fetchJson(cfg.listsUrl) ]);
  const modeler = new BpmnModeler({
    container: '#studio-canvas',
    propertiesPanel: { parent: '#studio-panel' },
    additionalModules: [ BpmnPropertiesPanelModule, BpmnPropertiesProviderModule, amtswegPropertiesModule, translateModule ],
    moddleExtensions: { spiffworkflow: spiffworkflowModdle },
    amtsweg: { operations, forms: lists.forms, groups: lists.groups }
  });
  window.studio = { modeler };  // for browser tests

  const response = await fetch(cfg.diagramUrl, { credentials: 'same-origin' });
  if (!response.ok) throw new Error(`Das Modell ist nicht abrufbar (HTTP ${response.status}).`);
  const { xml, generated } = await withDiagram(await response.text());
  const { warnings } = await modeler.importXML(xml);
  const canvas = modeler.get('canvas');
  canvas.zoom('fit-viewport');
  if (canvas.zoom() < 0.6) {  // a long process: readable zoom from its start instead of a tiny whole
    const box = canvas.viewbox();
    canvas.viewbox({ x: box.inner.x - 80, y: box.inner.y - 60, width: box.outer.width / 0.8, height: box.outer.height / 0.8 });
  }
  window.studio.importWarnings = warnings.map(w => w.message);
  status((generated ? 'Das Modell hatte kein Diagramm, das Layout wurde automatisch erzeugt. ' : '') +
         (warnings.length ? `${warnings.length} Hinweise beim Laden.` : 'Geladen.'));

  const overlays = modeler.get('overlays');
  const registry = modeler.get('elementRegistry');
  const list = document.getElementById('studio-problems');

  function showProblems(problems) {
    overlays.remove({ type: 'studio-problem' });
    list.replaceChildren();
    for (const problem of problems) {
      const element = problem.element_id && registry.get(problem.element_id);
      const item = document.createElement('li');
      if (element) {
        const marker = document.createElement('div');
        marker.className = 'studio-problem-marker';
        marker.textContent = '!';
        marker.title = problem.message;
        overlays.add(element, 'studio-problem', { position: { top: -10, right: 10 }, html: marker });
        const button = document.createElement('button');
        button.type = 'button';
        button.className = 'studio-problem-link';
        button.textContent = `${problem.element_name || problem.element_id}: ${problem.message}`;
        button.addEventListener('click', () => {
          modeler.get('selection').select(element);
          canvas.scrollToElement(element);
        });
        item.append(button);
      } else {
        item.textContent = problem.message;
      }
      list.append(item);
    }
  }

  async function post(url) {
    const { xml: body } = await modeler.saveXML({ format: true });
    const token = document.querySelector('meta[name="csrf-token"]').content;
    const res = await fetch(url, {
      method: 'POST', body, credentials: 'same-origin',
      headers: { 'Content-Type': 'application/xml', 'X-CSRFToken': token }
    });
    let answer;
    try {
      answer = await res.json();
    } catch (e) {  // not the studio's answer: an expired form token (400), a body over the request limit (413)
      const message = res.status === 400 ? 'Die Seite ist abgelaufen. Bitte laden Sie sie neu.'
        : res.status === 413 ? 'Das Modell ist zu groß.' : `Die Anfrage ist fehlgeschlagen (HTTP ${res.status}).`;
      answer = { ok: false, message, problems: [] };
    }
    showProblems(answer.problems || []);
    status(answer.message, !answer.ok);
    return answer;
  }
  window.studio.check = () => post(cfg.checkUrl);
  document.getElementById('studio-check').addEventListener('click', () => window.studio.check());
  document.getElementById('studio-deploy').addEventListener('click', () => post(cfg.deployUrl));
}

// bpmn-js reports in English: the designer reads German, the details go to the console.
main().catch(err => {
  console.error(err);
  status('Das Modell ließ sich im Modeler nicht öffnen. Bitte laden Sie die Seite neu; bleibt der Fehler, '
    + 'prüfen Sie das Modell mit „Prüfen“ oder wenden Sie sich an den Betrieb.', true);
});
