import { createContext, useContext } from 'react';
import type { ExperimentCommands } from '../../store/persistBridge';

/** The saved experiments' commands, provided once at the root. */
export const ExperimentsContext = createContext<ExperimentCommands | null>(null);

export function useExperiments(): ExperimentCommands {
  const commands = useContext(ExperimentsContext);
  if (!commands) throw new Error('useExperiments needs an ExperimentsContext provider at the root');
  return commands;
}
