// customTranslate pattern of the bpmn-js i18n example: replaces diagram-js' `translate` service.
import modelerDe from 'bpmn-js-i18n/translations/de.js';
import panelDe, { eventKinds, headerTypes } from './translations-panel-de.js';

const translations = { ...modelerDe, ...panelDe, ...headerTypes };
// The panel header names an event as "<kind> <type>[ (Non Interrupting)]", e.g. "Timer Boundary Event".
const EVENT = new RegExp(`^(${Object.keys(eventKinds).join('|')}) (.+?)( \\(Non Interrupting\\))?$`);

function lookup(template) {
  if (template in translations) return translations[template];
  const event = EVENT.exec(template);
  if (event && event[2] in headerTypes) {
    return `${headerTypes[event[2]]} (${eventKinds[event[1]]}${event[3] ? ', nicht unterbrechend' : ''})`;
  }
  return template;
}

export function customTranslate(template, replacements) {
  replacements = replacements || {};
  return lookup(template).replace(/{([^}]+)}/g, (_, key) => (key in replacements ? replacements[key] : '{' + key + '}'));
}

export default { translate: [ 'value', customTranslate ] };
