package io.meshpulse.sim.model;

import io.meshpulse.sim.scenario.FaultSpec;

/**
 * A fault in force at some instant, with its strength in [0, 1] (overload ramps up; others are 1).
 */
public record ActiveFault(FaultSpec spec, double intensity) {}
