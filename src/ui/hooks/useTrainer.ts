import { createContext, useContext } from 'react';
import type { TrainerCommands } from '../../store/trainerBridge';

/** The bridge's commands, provided once at the root; components never touch the worker. */
export const TrainerContext = createContext<TrainerCommands | null>(null);

/** The run commands (start, pause, resume, stop, live parameters). */
export function useTrainer(): TrainerCommands {
  const commands = useContext(TrainerContext);
  if (!commands) throw new Error('useTrainer needs a TrainerContext provider at the root');
  return commands;
}
