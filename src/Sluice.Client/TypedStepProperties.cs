using Sluice.Contracts;

namespace Sluice.Client;

/// <summary>Step properties with the step type they were made for, as <see cref="StepBuilder"/>'s <c>*StepProperties</c> methods return them.</summary>
/// <param name="Type">The step type: Java, Streaming, Hive, Pig, Spark or Command.</param>
/// <param name="Properties">The properties; may be changed before <see cref="StepBuilder.CreateStep"/>.</param>
public sealed record TypedStepProperties(string Type, StepProperties Properties);
