using LoraMerge.Formats;

namespace LoraMerge.Merging;

/// <summary>Computes the bytes of one changed tensor (merge or replace) and hands them to the tensor's writer.</summary>
internal interface ITensorProducer
{
    TensorChange Produce(TensorJob job, SafetensorsFile baseFile, TensorWrite write);
}
