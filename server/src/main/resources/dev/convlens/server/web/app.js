// The convlens page: upload an image, see the top classes, click one for its heatmap, switch the
// method and layer, browse the activations. Plain JS against the server's /v1 API; no libraries.
'use strict';

const $ = (id) => document.getElementById(id);
const state = { models: [], model: null, image: null, classIndex: -1, seq: { explain: 0, activations: 0, predict: 0 } };

function showError(message) {
  const box = $('error');
  box.textContent = message;
  box.hidden = !message;
}

function setStatus(text) {
  $('status').textContent = text;
}

// POSTs the image to a model endpoint; resolves to the Response, or throws with the server's JSON error.
async function post(operation, params) {
  const query = new URLSearchParams(params).toString();
  const url = `v1/models/${encodeURIComponent(state.model.name)}/${operation}${query ? '?' + query : ''}`;
  const response = await fetch(url, { method: 'POST', body: state.image, headers: { 'Content-Type': 'application/octet-stream' } });
  if (!response.ok) {
    let message = `${response.status} ${response.statusText}`;
    try {
      const body = await response.json();
      if (body.error) message = body.error;
    } catch (ignored) { /* not JSON: keep the status line */ }
    throw new Error(message);
  }
  return response;
}

function fillSelect(select, values, selected) {
  select.replaceChildren(...values.map((v) => {
    const option = document.createElement('option');
    option.value = v;
    option.textContent = v;
    option.selected = v === selected;
    return option;
  }));
}

function chooseModel(name) {
  state.model = state.models.find((m) => m.name === name);
  const m = state.model;
  $('model-info').textContent = `${m.height}x${m.width} input, ${m.classes.length} classes`;
  fillSelect($('method'), m.methods, m.defaultMethod);
  fillSelect($('layer'), m.layers, m.defaultLayer);
  fillSelect($('activation-layer'), m.activationLayers, m.activationLayers[0]);
  if (state.image) analyse();
}

async function loadModels() {
  const response = await fetch('v1/models');
  const body = await response.json();
  state.models = body.models;
  if (state.models.length === 0) {
    showError('This server has no models loaded yet; reload the page in a moment.');
    return;
  }
  fillSelect($('model'), state.models.map((m) => m.name), state.models[0].name);
  chooseModel(state.models[0].name);
}

async function predict() {
  const seq = ++state.seq.predict;
  const body = await (await post('predict', { top: Math.min(5, state.model.classes.length) })).json();
  if (seq !== state.seq.predict) return false;
  const list = $('predictions');
  list.replaceChildren(...body.predictions.map((p) => {
    const item = document.createElement('li');
    const button = document.createElement('button');
    button.type = 'button';
    button.dataset.index = p.index;
    const label = document.createElement('span');
    label.className = 'label';
    label.textContent = p.label;
    const score = document.createElement('span');
    score.className = 'score';
    score.textContent = p.score.toFixed(4);
    button.append(label, score);
    button.addEventListener('click', () => explain(p.index).catch((e) => showError(e.message)));
    item.append(button);
    return item;
  }));
  state.classIndex = body.predictions[0].index;
  return true;
}

async function explain(classIndex) {
  state.classIndex = classIndex;
  for (const b of $('predictions').querySelectorAll('button')) {
    b.classList.toggle('selected', Number(b.dataset.index) === classIndex);
  }
  const seq = ++state.seq.explain;
  const params = { class: classIndex, method: $('method').value, layer: $('layer').value };
  setStatus('explaining ...');
  const body = await (await post('explain', params)).json();
  if (seq !== state.seq.explain) return; // a newer click won
  const img = $('heatmap');
  img.src = `data:image/png;base64,${body.overlay}`;
  img.dataset.class = body.target.index;
  img.dataset.method = body.method;
  img.dataset.layer = body.layer;
  img.hidden = false;
  $('heatmap-caption').textContent = `${body.method} of ${body.target.label} (${body.target.score.toFixed(4)}) `
    + `on ${body.layer}, ${body.height}x${body.width}${body.degenerate ? ': nothing points at this class' : ''}`;
  setStatus('');
}

async function activations() {
  const seq = ++state.seq.activations;
  const response = await post('activations', { layer: $('activation-layer').value });
  const blob = await response.blob();
  if (seq !== state.seq.activations) return;
  const img = $('activations');
  if (img.src.startsWith('blob:')) URL.revokeObjectURL(img.src);
  img.src = URL.createObjectURL(blob);
  img.dataset.layer = response.headers.get('X-Convlens-Layer');
  img.hidden = false;
}

async function analyse() {
  showError('');
  setStatus('predicting ...');
  try {
    if (!(await predict())) return;
    await explain(state.classIndex);
    await activations();
    setStatus('');
  } catch (e) {
    setStatus('');
    showError(e.message);
  }
}

$('file').addEventListener('change', async () => {
  const file = $('file').files[0];
  if (!file) return;
  state.image = await file.arrayBuffer();
  const preview = $('preview');
  if (preview.src.startsWith('blob:')) URL.revokeObjectURL(preview.src);
  preview.src = URL.createObjectURL(file);
  preview.hidden = false;
  analyse();
});
$('model').addEventListener('change', () => chooseModel($('model').value));
for (const id of ['method', 'layer']) {
  $(id).addEventListener('change', () => {
    if (state.image && state.classIndex >= 0) explain(state.classIndex).catch((e) => showError(e.message));
  });
}
$('activation-layer').addEventListener('change', () => {
  if (state.image) activations().catch((e) => showError(e.message));
});

loadModels().catch((e) => showError(`cannot list the models: ${e.message}`));
