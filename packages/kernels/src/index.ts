// Public API of @hotplug/kernels: everything a user may import is exported here.
export {};
