// A Web Worker that trains the trials of a hyperparameter search for the page's search card
// (search.js). It instantiates the engine from the compiled module the page sends, builds a
// TrialTrainer of the search's experiment, and trains one trial per message, afresh to the
// units asked: the page's search (Playground.report_search) gets the same numbers whichever
// worker trained which trial, so the results do not depend on the number of workers.
//
// Messages in: {type: 'start', module, experiment} then {type: 'train', job, index, units}.
// Messages out: {type: 'ready'}, {type: 'outcome', job, outcome} or {type: 'error', job, message}.

import init, { TrialTrainer } from './pkg/convergence.js';

let trainer = null;

self.addEventListener('message', async (event) => {
  const message = event.data;
  try {
    if (message.type === 'start') {
      await init({ module_or_path: message.module });
      trainer = new TrialTrainer(message.experiment);
      self.postMessage({ type: 'ready' });
    } else if (message.type === 'train') {
      const outcome = trainer.train(message.index, message.units);
      self.postMessage({ type: 'outcome', job: message.job, outcome });
    }
  } catch (error) {
    self.postMessage({ type: 'error', job: message.job, message: String(error && error.message ? error.message : error) });
  }
});
