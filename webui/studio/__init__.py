"""The studio for process designers (role ``designer``, "Prozessgestaltung"): the deployed process
definitions, a bpmn-js modeler per definition (front end in ``frontend/``, built by ``make setup`` into
``webui/static/studio/``), checking a model with the engine's deploy-time validation, deploying it as a new
version and the version history with the elements each version changed."""
