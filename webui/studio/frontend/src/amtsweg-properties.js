// Properties-panel provider "Amtsweg": operation of a service task (options from the registry's list),
// result variable, and for user tasks the form file, the candidate group and dueIn.
// Everything is written to spiffworkflow:* extension elements (moddle/spiffworkflow.json).
import { h } from '@bpmn-io/properties-panel/preact';
import { SelectEntry, TextFieldEntry, isSelectEntryEdited, isTextFieldEntryEdited } from '@bpmn-io/properties-panel';
import { useService } from 'bpmn-js-properties-panel';
import { is, getBusinessObject } from 'bpmn-js/lib/util/ModelUtil';

const ISO_DURATION = /^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$/;

function extension(bo, type) {
  return ((bo.extensionElements && bo.extensionElements.get('values')) || []).find(v => is(v, type));
}

/** Commands that make sure bo has extensionElements holding an element of `type`; returns [commands, ext]. */
function ensureExtension(element, bo, type, bpmnFactory, attrs) {
  const commands = [];
  let container = bo.extensionElements;
  if (!container) {
    container = bpmnFactory.create('bpmn:ExtensionElements', { values: [] });
    container.$parent = bo;
    commands.push(update(element, bo, { extensionElements: container }));
  }
  let ext = extension(bo, type);
  if (!ext) {
    ext = bpmnFactory.create(type, attrs || {});
    ext.$parent = container;
    commands.push(update(element, container, { values: [ ...container.get('values'), ext ] }));
  }
  return [ commands, ext ];
}

function update(element, moddleElement, properties) {
  return { cmd: 'element.updateModdleProperties', context: { element, moddleElement, properties } };
}

function run(commandStack, commands) {
  if (commands.length) commandStack.execute('properties-panel.multi-command-executor', commands);
}

// ---- service task -------------------------------------------------------------------------------
function OperationEntry(props) {
  const { element, id } = props;
  const translate = useService('translate');
  const config = useService('config.amtsweg') || {};
  const bpmnFactory = useService('bpmnFactory');
  const commandStack = useService('commandStack');
  const bo = getBusinessObject(element);
  const operations = config.operations || [];

  const getValue = () => (extension(bo, 'spiffworkflow:ServiceTaskOperator') || {}).id || '';
  const setValue = (name) => {
    const [ commands, operator ] = ensureExtension(element, bo, 'spiffworkflow:ServiceTaskOperator', bpmnFactory);
    commands.push(update(element, operator, { id: name || undefined }));
    // Add the operation's parameter names that are missing (without value: SpiffWorkflow skips those).
    const op = operations.find(o => o.name === name);
    if (op) {
      let list = operator.parameterList;
      if (!list) {
        list = bpmnFactory.create('spiffworkflow:Parameters', { parameters: [] });
        list.$parent = operator;
        commands.push(update(element, operator, { parameterList: list }));
      }
      const have = new Set(list.get('parameters').map(p => p.id));
      const added = op.parameters.filter(p => !have.has(p.name)).map(p => {
        const param = bpmnFactory.create('spiffworkflow:Parameter', { id: p.name, type: p.type || 'str' });
        param.$parent = list;
        return param;
      });
      if (added.length) commands.push(update(element, list, { parameters: [ ...list.get('parameters'), ...added ] }));
    }
    run(commandStack, commands);
  };
  const getOptions = () => {
    const current = getValue();
    const options = [ { value: '', label: translate('(none)') } ]
      .concat(operations.map(o => ({ value: o.name, label: o.label ? `${o.name} – ${o.label}` : o.name })));
    if (current && !operations.some(o => o.name === current)) {
      options.push({ value: current, label: translate('Unknown operation {name}', { name: current }) });
    }
    return options;
  };
  return h(SelectEntry, { element, id, label: translate('Operation'), getValue, setValue, getOptions });
}

function ResultVariableEntry(props) {
  const { element, id } = props;
  const translate = useService('translate');
  const debounce = useService('debounceInput');
  const bpmnFactory = useService('bpmnFactory');
  const commandStack = useService('commandStack');
  const bo = getBusinessObject(element);
  const getValue = () => (extension(bo, 'spiffworkflow:ServiceTaskOperator') || {}).resultVariable || '';
  const setValue = (value) => {
    const [ commands, operator ] = ensureExtension(element, bo, 'spiffworkflow:ServiceTaskOperator', bpmnFactory);
    commands.push(update(element, operator, { resultVariable: value || undefined }));
    run(commandStack, commands);
  };
  return h(TextFieldEntry, { element, id, label: translate('Result variable'), getValue, setValue, debounce });
}

// ---- user task: spiffworkflow:properties --------------------------------------------------------
function propertyValue(bo, name) {
  const props = extension(bo, 'spiffworkflow:Properties');
  const prop = props && props.get('properties').find(p => p.name === name);
  return prop ? prop.value : '';
}

function setPropertyCommands(element, name, value, bpmnFactory) {
  const bo = getBusinessObject(element);
  const [ commands, props ] = ensureExtension(element, bo, 'spiffworkflow:Properties', bpmnFactory, { properties: [] });
  const list = props.get('properties');
  const prop = list.find(p => p.name === name);
  if (!value) {
    if (prop) commands.push(update(element, props, { properties: list.filter(p => p !== prop) }));
  } else if (prop) {
    commands.push(update(element, prop, { value }));
  } else {
    const created = bpmnFactory.create('spiffworkflow:Property', { name, value });
    created.$parent = props;
    commands.push(update(element, props, { properties: [ ...list, created ] }));
  }
  return commands;
}

function PropertySelect(name, labelKey, optionsKey, emptyKey) {
  return function Entry(props) {
    const { element, id } = props;
    const translate = useService('translate');
    const config = useService('config.amtsweg') || {};
    const bpmnFactory = useService('bpmnFactory');
    const commandStack = useService('commandStack');
    const bo = getBusinessObject(element);
    const getValue = () => propertyValue(bo, name);
    const setValue = (value) => run(commandStack, setPropertyCommands(element, name, value, bpmnFactory));
    const getOptions = () => {
      // a plain name or { value, label } (the groups come with their German office names)
      const values = (config[optionsKey] || []).map(v => (typeof v === 'string' ? { value: v, label: v } : v));
      const current = getValue();
      const options = [ { value: '', label: translate(emptyKey) } ].concat(values);
      if (current && !values.some(v => v.value === current)) options.push({ value: current, label: current + ' (?)' });
      return options;
    };
    return h(SelectEntry, { element, id, label: translate(labelKey), getValue, setValue, getOptions });
  };
}

const FormFileEntry = PropertySelect('formJsonSchemaFilename', 'Form file', 'forms', '(none)');
const CandidateGroupEntry = PropertySelect('candidateGroup', 'Candidate group', 'groups', '(from the lane)');

function DueInEntry(props) {
  const { element, id } = props;
  const translate = useService('translate');
  const debounce = useService('debounceInput');
  const bpmnFactory = useService('bpmnFactory');
  const commandStack = useService('commandStack');
  const bo = getBusinessObject(element);
  const getValue = () => propertyValue(bo, 'dueIn');
  const setValue = (value) => run(commandStack, setPropertyCommands(element, 'dueIn', value, bpmnFactory));
  const validate = (value) => (value && !ISO_DURATION.test(value)
    ? translate('Not an ISO 8601 duration such as P5D or PT8H.') : undefined);
  return h(TextFieldEntry, {
    element, id, label: translate('Due in (ISO 8601 duration, e.g. P5D)'), getValue, setValue, debounce, validate
  });
}

// ---- provider -----------------------------------------------------------------------------------
function amtswegGroup(element, translate) {
  let entries = [];
  if (is(element, 'bpmn:ServiceTask')) {
    entries = [
      { id: 'amtsweg-operation', component: OperationEntry, isEdited: isSelectEntryEdited },
      { id: 'amtsweg-result-variable', component: ResultVariableEntry, isEdited: isTextFieldEntryEdited }
    ];
  } else if (is(element, 'bpmn:UserTask')) {
    entries = [
      { id: 'amtsweg-form-file', component: FormFileEntry, isEdited: isSelectEntryEdited },
      { id: 'amtsweg-candidate-group', component: CandidateGroupEntry, isEdited: isSelectEntryEdited },
      { id: 'amtsweg-due-in', component: DueInEntry, isEdited: isTextFieldEntryEdited }
    ];
  }
  return entries.length ? { id: 'amtsweg', label: translate('Amtsweg'), entries } : null;
}

export function AmtswegPropertiesProvider(propertiesPanel, translate) {
  this.getGroups = (element) => (groups) => {
    const group = amtswegGroup(element, translate);
    if (!group) return groups;
    const at = groups.findIndex(g => g.id === 'general');
    groups.splice(at + 1, 0, group);
    return groups;
  };
  propertiesPanel.registerProvider(500, this);  // after getGroups exists: registerProvider checks it
}
AmtswegPropertiesProvider.$inject = [ 'propertiesPanel', 'translate' ];

export default {
  __init__: [ 'amtswegPropertiesProvider' ],
  amtswegPropertiesProvider: [ 'type', AmtswegPropertiesProvider ]
};
