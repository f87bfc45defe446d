# Sourced by the consumer checks: writes Consumer.csproj, a net10.0 console project, into the current folder with the
# given reference item (a PackageReference or a ProjectReference to the library) and, as a user of the library does,
# a PackageReference to TorchSharp's CPU backend: the library references the managed TorchSharp only, so the app picks
# the backend (TorchSharp-cpu; TorchSharp-cuda-linux / TorchSharp-cuda-windows for CUDA).
#
#   write_consumer_project '<ProjectReference Include="…/HorrorAlign.ML.csproj" />'
torchsharp_backend='<PackageReference Include="TorchSharp-cpu" Version="0.107.0" />'
write_consumer_project() {
  cat > Consumer.csproj <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <OutputType>Exe</OutputType>
    <TargetFramework>net10.0</TargetFramework>
    <Nullable>enable</Nullable>
    <ImplicitUsings>enable</ImplicitUsings>
  </PropertyGroup>
  <ItemGroup>
    $1
    $torchsharp_backend
  </ItemGroup>
</Project>
XML
}
