using System.Runtime.CompilerServices;

// Every P/Invoke signature is blittable: no runtime marshalling stubs, no hidden allocations.
[assembly: DisableRuntimeMarshalling]
