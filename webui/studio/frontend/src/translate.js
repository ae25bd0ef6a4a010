// customTranslate pattern of the bpmn-js i18n example: replaces diagram-js' `translate` service.
import modelerDe from 'bpmn-js-i18n/translations/de.js';
import panelDe from './translations-panel-de.js';

const translations = { ...modelerDe, ...panelDe };

export function customTranslate(template, replacements) {
  replacements = replacements || {};
  template = translations[template] || template;
  return template.replace(/{([^}]+)}/g, (_, key) => (key in replacements ? replacements[key] : '{' + key + '}'));
}

export default { translate: [ 'value', customTranslate ] };
