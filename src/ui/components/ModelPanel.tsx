import { MODELS_BY_TASK, TASKS, type Task } from '../../engine/config';
import { useAppStore } from '../../store';
import { LockedFieldset } from './LockedFieldset';
import { Panel } from './Panel';

const MODEL_NOTES: Record<string, string> = {
  cnn: 'small CNN (conv16, conv32/2, conv64/2, pool, dense): fast everywhere',
  resnet20: 'ResNet-20 with batch norm (the paper’s CIFAR model family): slow on software GPUs',
  mobilenetv2: 'MobileNetV2 (depthwise convolutions)',
  densenet: 'a small DenseNet',
  fcn: 'small FCN-8s-style network: encoder to stride 8, score layers summed coarse to fine',
  psp: 'small PSPNet: residual backbone, pyramid pooling (bins 1, 2, 3, 6), auxiliary head (loss = main + 0.4 × aux)',
  unet: 'small U-Net: three poolings, bilinear upsampling with skip connections',
  pix2pix: 'pix2pix: U-Net generator with dropout, PatchGAN discriminator on (input, image), LSGAN + 100 × L1',
};

const TASK_LABELS: Record<Task, string> = {
  classify: 'classification',
  segment: 'segmentation',
  translate: 'image translation (pix2pix)',
};

/** Task and model. */
export function ModelPanel() {
  const task = useAppStore((s) => s.config.task);
  const model = useAppStore((s) => s.config.model);
  const setConfig = useAppStore((s) => s.setConfig);
  const setTask = useAppStore((s) => s.setTask);
  return (
    <Panel title="Task and model">
      <LockedFieldset className="field-row">
        <label className="field">
          <span className="field-label">task</span>
          <select data-testid="task-select" value={task} onChange={(e) => setTask(TASKS.find((t) => t === e.target.value) ?? 'classify')}>
            {TASKS.map((t) => (
              <option key={t} value={t} disabled={MODELS_BY_TASK[t].length === 0}>
                {TASK_LABELS[t]}
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
