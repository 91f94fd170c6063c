export { OnnxRecorder } from '../src/index';
export { writeFileAtomic as writeFileAtomicForTest } from '@hotplug/runtime';
