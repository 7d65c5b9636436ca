import { MODELS_BY_TASK, TASKS, type Task } from '../../engine/config';
import { useAppStore } from '../../store';
import { LockedFieldset } from './LockedFieldset';
import { Panel } from './Panel';

const MODEL_NOTES: Record<string, string> = {
  cnn: 'small CNN (conv16, conv32/2, conv64/2, pool, dense): fast everywhere',
  resnet20: 'ResNet-20 with batch norm (the paper’s CIFAR model family): slow on software GPUs',
  mobilenetv2: 'MobileNetV2 (depthwise convolutions)',
  densenet: 'a small DenseNet',
};

/** Tasks whose charts this page draws; segmentation and translation get theirs in their own issues. */
const UI_TASKS: readonly Task[] = ['classify'];

/** Task and model. */
export function ModelPanel() {
  const task = useAppStore((s) => s.config.task);
  const model = useAppStore((s) => s.config.model);
  const setConfig = useAppStore((s) => s.setConfig);
  return (
    <Panel title="Task and model">
      <LockedFieldset className="field-row">
        <label className="field">
          <span className="field-label">task</span>
          <select data-testid="task-select" value={task} onChange={(e) => setConfig({ task: e.target.value as Task })}>
            {TASKS.map((t) => (
              <option key={t} value={t} disabled={!UI_TASKS.includes(t) || MODELS_BY_TASK[t].length === 0}>
                {t === 'classify' ? 'classification' : t === 'segment' ? 'segmentation (coming)' : 'image translation (coming)'}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span className="field-label">model</span>
          <select data-testid="model-select" value={model} onChange={(e) => setConfig({ model: e.target.value })}>
            {MODELS_BY_TASK[task].map((m) => (
              <option key={m} value={m}>
                {m}
              </option>
            ))}
          </select>
        </label>
      </LockedFieldset>
      <p className="hint">{MODEL_NOTES[model] ?? ''}</p>
    </Panel>
  );
}
